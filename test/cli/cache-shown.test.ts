import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientThroughBridge } from '../mcp/support/bridge';
import { MCP_APP, startTestbed, type Testbed } from '../doctor/support/testbed';

/** `identity` and `doctor` show what the certificate cache holds for the identity, without writing to it. */

let bed: Testbed;
let identityDir: string;
let root: string;
let cacheDir: string;

beforeAll(async () => {
  bed = await startTestbed();
  identityDir = await bed.identity({ allowReissue: true });
  root = await mkdtemp(join(tmpdir(), 'cache-shown-'));
  cacheDir = join(root, 'mcp-bridge');
  // One connect fills the cache, as an MCP host's first spawn does.
  const { client } = await clientThroughBridge(['connect', MCP_APP, '-i', identityDir, ...bed.proxyArgs(), '--cache-dir', cacheDir]);
  await client.callTool({ name: 'echo', arguments: { text: 'x' } });
  await client.close();
});

afterAll(async () => {
  await bed?.close();
  await rm(root, { recursive: true, force: true });
});

test('identity --json lists the cached app certificate of this identity: app, proxy, cluster, valid until', async () => {
  const { code, stdout } = await bed.cli('identity', '-i', identityDir, '--cache-dir', cacheDir, '--json');
  expect(code).toBe(0);
  const { cache, validUntil } = JSON.parse(stdout);
  expect(cache).toMatchObject({ dir: cacheDir, state: 'in use' });
  expect(cache.appCerts).toEqual([
    { app: MCP_APP, proxy: bed.cluster.proxyAddr, cluster: bed.cluster.clusterName, validUntil: expect.any(String), secondsLeft: expect.any(Number) },
  ]);
  expect(Date.parse(cache.appCerts[0].validUntil)).toBeLessThanOrEqual(Date.parse(validUntil));
  expect(stdout).not.toMatch(/BEGIN|PRIVATE KEY/);
});

test('identity prints one Cache line; doctor has a Certificate cache step saying the same', async () => {
  const identity = await bed.cli('identity', '-i', identityDir, '--cache-dir', cacheDir);
  expect(identity.stdout).toMatch(new RegExp(`^Cache +${cacheDir}: app certificates of this identity: "${MCP_APP}" via ${bed.cluster.proxyAddr} until \\S+$`, 'm'));
  const doctor = await bed.cli('doctor', '-i', identityDir, ...bed.proxyArgs(), '--cache-dir', cacheDir);
  expect(doctor.stdout).toMatch(new RegExp(`^✓ Certificate cache +${cacheDir}: app certificates of this identity: "${MCP_APP}"`, 'm'));
});

test('a directory that does not exist yet is reported, not created; --no-cache says the cache is off', async () => {
  const missing = join(root, 'never-created');
  const { stdout } = await bed.cli('identity', '-i', identityDir, '--cache-dir', missing);
  expect(stdout).toMatch(/^Cache +\S+never-created: nothing cached yet/m);
  await expect(import('node:fs/promises').then((fs) => fs.stat(missing))).rejects.toMatchObject({ code: 'ENOENT' });
  const off = await bed.cli('identity', '-i', identityDir, '--no-cache', '--json');
  expect(JSON.parse(off.stdout).cache).toEqual({ state: 'off', appCerts: [] });
});

test('doctor warns with CACHE_UNSAFE and its fix when the directory is open to others', async () => {
  await chmod(cacheDir, 0o755);
  try {
    const { code, stdout } = await bed.cli('doctor', '-i', identityDir, ...bed.proxyArgs(), '--cache-dir', cacheDir, '--json');
    expect(code).toBe(0); // a warning, not a failure: connect still works, each process issuing for itself
    const cache = JSON.parse(stdout).checks.find((c: { id: string }) => c.id === 'cache');
    expect(cache).toMatchObject({ status: 'warn', tag: 'MCP_BRIDGE_CACHE_UNSAFE' });
    expect(cache.detail).toContain('mode 0755 lets group or others in');
    expect(cache.fix).toContain('chmod 700');
  } finally {
    await chmod(cacheDir, 0o700);
  }
});
