import { createHash, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { BridgeError } from '../errors/catalogue';
import { layoutOf, type IdentityLayout } from './layout';
import { pemBlocks, type PemBlock } from './pem';
import { posixAclOf } from './posix-acl';
import { parsePrivateKey } from './private-key';
import { readIdentityFile, type FileContents } from './read-file';
import { teleportIdentityOf } from './subject';
import type { Credentials, IdentitySource } from './types';

/** PEM blocks picked out of the files, each remembering where it came from (for messages). */
interface RawMaterial {
  key: { block: PemBlock; file: string };
  cert: { block: PemBlock; file: string };
  cas: { block: PemBlock; file: string }[];
  /** Files that contain the private key, checked for loose permissions. */
  keyFiles: FileContents[];
  read: FileContents[];
}

/** Blocks of the combined identity file by position, as Teleport reads it: key, TLS cert, then CAs. */
function fromCombined(contents: FileContents): RawMaterial {
  const file = contents.path;
  const blocks = pemBlocks(contents.text, file);
  if (blocks.length === 0) {
    throw new BridgeError('IDENTITY_INVALID', `${file} contains no PEM blocks, so it is not a Teleport identity file. Point -i at tbot's destination directory or its \`identity\` file.`);
  }
  if (!blocks[0].label.endsWith('PRIVATE KEY')) {
    throw new BridgeError(
      'IDENTITY_INVALID',
      `${file} starts with a ${blocks[0].label} block, not a private key: -i expects tbot's directory or its combined \`identity\` file; for separate PEM files use --cert and --key.`,
    );
  }
  if (blocks.length === 1) throw new BridgeError('IDENTITY_INVALID', `${file} has a private key but no TLS certificate (cut-off or partly written file).`);
  return {
    key: { block: blocks[0], file },
    cert: { block: blocks[1], file },
    cas: blocks.slice(2).map((block) => ({ block, file })),
    keyFiles: [contents],
    read: [contents],
  };
}

function firstBlock(contents: FileContents, wanted: (label: string) => boolean, what: string): PemBlock {
  const block = pemBlocks(contents.text, contents.path).find((b) => wanted(b.label));
  if (!block) throw new BridgeError('IDENTITY_INVALID', `${contents.path} contains no ${what} PEM block.`);
  return block;
}

async function fromSeparate(layout: Extract<IdentityLayout, { kind: 'separate' }>): Promise<RawMaterial> {
  // The certificate first: tbot writes tlscert before key, so a renewal landing between the reads shows up as a mismatch.
  const cert = await readIdentityFile(layout.certFile);
  const key = await readIdentityFile(layout.keyFile);
  const caContents = await Promise.all(layout.caFiles.map(readIdentityFile));
  return {
    key: { block: firstBlock(key, (l) => l.endsWith('PRIVATE KEY'), 'PRIVATE KEY'), file: key.path },
    cert: { block: firstBlock(cert, (l) => l === 'CERTIFICATE', 'CERTIFICATE'), file: cert.path },
    cas: caContents.flatMap((c) => pemBlocks(c.text, c.path).map((block) => ({ block, file: c.path }))),
    keyFiles: [key],
    read: [cert, key, ...caContents],
  };
}

function parseCertificate(block: PemBlock, file: string, what: string): X509Certificate {
  if (block.label !== 'CERTIFICATE') throw new BridgeError('IDENTITY_INVALID', `${file}: expected the ${what} as a CERTIFICATE block, found ${block.label}.`);
  try {
    return new X509Certificate(block.pem);
  } catch (err) {
    throw new BridgeError('IDENTITY_INVALID', `${file}: the ${what} is not a readable X.509 certificate.`, { cause: err });
  }
}

function spki(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

/** Node prints Names one attribute per line; one line reads better in logs and listings. */
const oneLine = (name: string) => name.split('\n').join(', ');

const modeText = (mode: number) => mode.toString(8).padStart(4, '0');

/**
 * Key files others can read, or whose group can: the fix never removes group bits that are a POSIX ACL's mask
 * (tbot's `readers:`), since `chmod 600` would lock those readers out.
 */
async function permissionWarnings(keyFiles: FileContents[]): Promise<string[]> {
  const warnings = await Promise.all(
    keyFiles.map(async (f): Promise<string | undefined> => {
      if ((f.mode & 0o044) === 0) return undefined;
      const acl = (f.mode & 0o040) !== 0 ? await posixAclOf(f.path) : 'none';
      const intro = `${f.path} holds a private key and`;
      if (acl === 'none') return `${intro} is readable by group/others (mode ${modeText(f.mode)}); run \`chmod 600 ${f.path}\` (tbot writes 0600).`;
      if (acl === 'acl') {
        // The group bits grant tbot's readers through the ACL: only others' access is wrong.
        if ((f.mode & 0o004) === 0) return undefined;
        return `${intro} is readable by others (mode ${modeText(f.mode)}); run \`chmod o-rwx ${f.path}\` (its group bits are the mask of a POSIX ACL, e.g. tbot's readers: keep them).`;
      }
      return `${intro} is readable by group/others (mode ${modeText(f.mode)}); if its group bits are the mask of a POSIX ACL (tbot's readers; getfacl is not available to tell), run only \`chmod o-rwx ${f.path}\`, otherwise \`chmod 600 ${f.path}\`.`;
    }),
  );
  return warnings.filter((w): w is string => w !== undefined);
}

/**
 * Reads and validates one identity: the key parses and is a type Teleport issues, the certificate parses and holds
 * the key's public key, and (except with explicit files) at least one CA is present. An expired certificate is
 * returned, not thrown: callers decide with `validityOf`.
 */
export async function loadCredentials(source: IdentitySource, generation = 1): Promise<Credentials> {
  const layout = await layoutOf(source);
  const raw = layout.kind === 'combined' ? fromCombined(await readIdentityFile(layout.file)) : await fromSeparate(layout);
  const certLabel = layout.kind === 'combined' ? 'TLS certificate (second PEM block)' : 'TLS certificate';
  const key = parsePrivateKey(raw.key.block, raw.key.file);
  const cert = parseCertificate(raw.cert.block, raw.cert.file, certLabel);
  if (!spki(createPublicKey(key.key)).equals(spki(cert.publicKey))) {
    throw new BridgeError('KEY_MISMATCH', `the private key in ${raw.key.file} does not belong to the certificate in ${raw.cert.file}.`, {
      data: { keyFile: raw.key.file, certFile: raw.cert.file },
    });
  }
  const required = layout.kind === 'combined' || layout.caRequired;
  if (required && raw.cas.length === 0) {
    const where = layout.kind === 'combined' ? `${layout.file} has no Host CA certificates after the TLS certificate` : `${layout.caFiles.join(', ')} holds no CA certificate`;
    throw new BridgeError('IDENTITY_INVALID', `${where} (cut-off or incomplete output), so the Auth Service cannot be verified.`);
  }
  const cas = raw.cas.map((c) => parseCertificate(c.block, c.file, 'CA certificate'));
  const files = raw.read.map((f) => f.path);
  return {
    keyPem: raw.key.block.pem,
    certPem: raw.cert.block.pem,
    caPems: raw.cas.map((c) => c.block.pem),
    caSubjects: cas.map((c) => oneLine(c.subject)),
    keyType: key.keyType,
    ...(key.keyBits ? { keyBits: key.keyBits } : {}),
    identity: teleportIdentityOf(cert, raw.cert.file),
    fingerprint: createHash('sha256').update(cert.raw).digest('hex'),
    generation,
    files: [...new Set(files)],
    newestMtime: new Date(Math.max(...raw.read.map((f) => f.mtime.getTime()))),
    warnings: await permissionWarnings(raw.keyFiles),
  };
}
