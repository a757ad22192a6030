import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:tls';
import { join, resolve } from 'node:path';
import { createCA, generateKeyPair, issueServerCert, privateKeyPem } from '../../fixtures/pki';
import { loadCredentials } from '../../src/identity';
import { silentLogger } from '../../src/log/logger';
import { findMcpApp } from '../../src/teleport/apps';
import { AuthClient } from '../../src/teleport/auth-client';
import { parseProxyAddress } from '../../src/teleport/proxy-address';
import { startFaultBed, type FaultBed } from './support/fault-bed';

const BIN = join(resolve(__dirname, '..', '..'), 'bin', 'mcp-bridge');

/** A TLS listener with a certificate from a CA nobody trusts; counts connections and the application bytes sent to it. */
interface Impostor {
  addr: string;
  bytes: () => number;
  /** TCP connections accepted: proves clients did come. */
  connections: () => number;
  close(): Promise<void>;
}

async function startImpostor(alpn: string[]): Promise<Impostor> {
  const ca = await createCA({ clusterName: 'impostor', kind: 'host', algorithm: 'p256' });
  const key = await generateKeyPair('p256');
  const cert = await issueServerCert(ca, {
    publicKey: key,
    commonName: '127.0.0.1',
    dnsNames: ['localhost', 'teleport.cluster.local', '*.teleport.cluster.local'],
    ipAddresses: ['127.0.0.1'],
    notAfter: new Date(Date.now() + 3600_000),
  });
  let bytes = 0;
  let connections = 0;
  const server: Server = createServer({ key: privateKeyPem(key), cert: cert.pem, ALPNProtocols: alpn }, (socket) => {
    socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
    socket.on('error', () => undefined);
  });
  server.on('connection', () => connections++);
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    addr: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    bytes: () => bytes,
    connections: () => connections,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

let bed: FaultBed;

beforeAll(async () => {
  bed = await startFaultBed();
});

afterAll(async () => {
  await bed?.close();
});

test('a proxy presenting a certificate from an untrusted CA is refused (TLS_VERIFY_FAILED) and gets no request bytes', async () => {
  const impostor = await startImpostor(['http/1.1', 'h2']);
  try {
    const child = spawn(process.execPath, [BIN, 'connect', 'everything', '--proxy', impostor.addr, '--ca', bed.cluster.publicCaFile, '-i', bed.tbot.outDir]);
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stdin.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } }) + '\n');
    await new Promise((r) => child.once('exit', r));
    const answer = JSON.parse(stdout.trim().split('\n')[0]!);
    expect(answer.error.data.tag).toBe('MCP_BRIDGE_TLS_VERIFY_FAILED');
    expect(impostor.connections()).toBeGreaterThan(0);
    expect(impostor.bytes()).toBe(0);
  } finally {
    await impostor.close();
  }
});

test('an Auth Service endpoint whose certificate is not signed by the identity Host CA is refused and gets no RPC bytes', async () => {
  const impostor = await startImpostor([`teleport-auth@${Buffer.from(bed.cluster.clusterName).toString('hex')}.teleport.cluster.local`, 'h2']);
  const creds = await loadCredentials({ kind: 'path', path: bed.tbot.outDir });
  const client = new AuthClient({
    proxy: parseProxyAddress(impostor.addr),
    clusterName: bed.cluster.clusterName,
    credentials: { certPem: creds.certPem, keyPem: creds.keyPem, hostCAPems: creds.caPems },
    logger: silentLogger,
  });
  try {
    await expect(findMcpApp(client, 'everything')).rejects.toMatchObject({ tag: expect.stringMatching(/TLS_VERIFY_FAILED|AUTH_UNREACHABLE/) });
    expect(impostor.connections()).toBeGreaterThan(0);
    expect(impostor.bytes()).toBe(0);
  } finally {
    await client.close();
    await impostor.close();
  }
});
