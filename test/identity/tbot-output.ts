import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, type Logger, type LogLevel } from '../../src/log/logger';
import {
  createCA,
  generateKeyPair,
  issueIdentityCert,
  privateKeyPem,
  type CertificateAuthority,
  type IssuedCertificate,
  type KeyAlgorithm,
  type KeyPair,
  type PrivateKeyEncoding,
  type TeleportIdentitySpec,
} from '../../fixtures/pki';

/**
 * Writes tbot-like output from fixtures/pki for the identity tests: a destination directory (files in tbot's
 * order, in place, 0600) and combined identity files (Teleport's layout, or the older one with SSH CA lines
 * between CA PEMs). The SSH lines only need the right shape: mcp-bridge never uses them.
 */

export interface TestPki {
  clusterName: string;
  userCA: CertificateAuthority;
  hostCAs: CertificateAuthority[];
}

export async function createTestPki(algorithm: KeyAlgorithm = 'p256', clusterName = 'example.teleport.sh', hostCAs = 1): Promise<TestPki> {
  return {
    clusterName,
    userCA: await createCA({ clusterName, kind: 'user', algorithm }),
    hostCAs: await Promise.all(Array.from({ length: hostCAs }, () => createCA({ clusterName, kind: 'host', algorithm }))),
  };
}

export const botSpec = (overrides: Partial<TeleportIdentitySpec> = {}): TeleportIdentitySpec => ({
  username: 'bot-agent',
  roles: ['bot-agent', 'mcp-user'],
  logins: ['-teleport-internal-join'],
  traits: { logins: ['-teleport-internal-join'], mcp_tools: ['*'] },
  teleportCluster: 'example.teleport.sh',
  renewable: false,
  generation: 3,
  disallowReissue: true,
  botName: 'agent',
  botInstanceId: '8c3a1d2e-5f4b-4c6d-9e7f-0a1b2c3d4e5f',
  ...overrides,
});

export interface TestIdentity {
  pki: TestPki;
  key: KeyPair;
  cert: IssuedCertificate;
  keyPem: string;
  certPem: string;
  caPems: string[];
}

export interface IssueOptions {
  algorithm?: KeyAlgorithm;
  spec?: TeleportIdentitySpec;
  notBefore?: Date;
  notAfter?: Date;
  keyEncoding?: PrivateKeyEncoding | 'teleportDefault';
}

export async function issueTestIdentity(pki: TestPki, options: IssueOptions = {}): Promise<TestIdentity> {
  const key = await generateKeyPair(options.algorithm ?? pki.userCA.key.algorithm);
  const cert = await issueIdentityCert(pki.userCA, {
    publicKey: key,
    identity: options.spec ?? botSpec({ teleportCluster: pki.clusterName }),
    notBefore: options.notBefore,
    notAfter: options.notAfter ?? new Date(Date.now() + 3600_000),
  });
  return {
    pki,
    key,
    cert,
    keyPem: privateKeyPem(key, options.keyEncoding),
    certPem: cert.pem,
    caPems: pki.hostCAs.map((ca) => ca.cert.pem),
  };
}

const sshCertLine = 'ecdsa-sha2-nistp256-cert-v01@openssh.com AAAAKGVjZHNhLXNoYTItbmlzdHAyNTYtY2VydC12MDFAb3BlbnNzaC5jb20= bot-agent';
const sshCALine = (cluster: string) => `@cert-authority ${cluster},*.${cluster} ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTY= type=host`;

/** The combined `identity` file; `legacyLayout` puts an SSH CA line between (and after) the CA PEMs like older Teleport. */
export function combinedIdentityText(id: TestIdentity, layout: 'current' | 'legacy' = 'current'): string {
  const ca = sshCALine(id.pki.clusterName);
  const parts =
    layout === 'current'
      ? [id.keyPem, sshCertLine + '\n', id.certPem, ca + '\n', ...id.caPems]
      : [id.keyPem, sshCertLine + '\n', id.certPem, ...id.caPems.flatMap((pem) => [pem, ca + '\n'])];
  return parts.map((p) => (p.endsWith('\n') ? p : p + '\n')).join('');
}

/** Files of one renewal in tbot's identity-service order (teleport-wire.md §1), as [name, content]. */
export function tbotFiles(id: TestIdentity, options: { combined?: boolean } = {}): [string, string][] {
  const caBundle = id.caPems.join('');
  return [
    ['.write-test', ''],
    ['teleport-host-ca.crt', caBundle],
    ['teleport-user-ca.crt', id.pki.userCA.cert.pem],
    ['teleport-database-ca.crt', id.pki.userCA.cert.pem],
    ...(options.combined === false ? [] : ([['identity', combinedIdentityText(id)]] as [string, string][])),
    ['key-cert.pub', sshCertLine + '\n'],
    ['tlscert', id.certPem],
    ['key', id.keyPem],
    ['key.pub', 'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTY=\n'],
    ['.write-test', ''],
  ];
}

/** Writes a destination directory the way tbot does: 0700 directory, each file truncated and rewritten in place, 0600. */
export function writeTbotDirectory(dir: string, id: TestIdentity, options: { combined?: boolean } = {}): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const [name, content] of tbotFiles(id, options)) {
    writeFileSync(join(dir, name), content, { mode: 0o600 });
    chmodSync(join(dir, name), 0o600);
  }
}

export interface CapturedLog {
  logger: Logger;
  lines: string[];
}

/** A real Logger whose lines are kept for assertions instead of going to stderr. */
export function captureLogger(level: LogLevel = 'debug'): CapturedLog {
  const lines: string[] = [];
  return { lines, logger: createLogger({ level, format: 'text', sink: (line) => lines.push(line) }) };
}
