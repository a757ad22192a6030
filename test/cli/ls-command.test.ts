import { createServer, type AddressInfo } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { MCP_APP, startTestbed, STDIO_APP, WEB_APP, type Testbed } from '../doctor/support/testbed';

let bed: Testbed;
let identityDir: string;

beforeAll(async () => {
  bed = await startTestbed();
  identityDir = await bed.identity({ allowReissue: true });
});
afterAll(() => bed?.close());

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('mcp-bridge ls', () => {
  it('prints a table of the MCP apps with their transport, leaving out non-MCP apps', async () => {
    const { code, stdout, stderr } = await bed.cli('ls', '-i', identityDir, ...bed.proxyArgs());
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+TRANSPORT\s+DESCRIPTION\s+LABELS$/);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(new RegExp(`^${MCP_APP}\\s+streamable-http\\s+Team docs\\s+env=dev,team=docs$`)),
      expect.stringMatching(new RegExp(`^${STDIO_APP}\\s+stdio\\s+-\\s+env=dev$`)),
    ]);
    // aligned: every column starts at the same offset on every line
    const transportColumn = lines.map((l) => l.search(/TRANSPORT|streamable-http|stdio/));
    expect(new Set(transportColumn).size).toBe(1);
    expect(stdout).not.toContain(WEB_APP);
  });

  it('prints the same list as JSON and as YAML for scripts', async () => {
    const [json, yaml] = await Promise.all(['json', 'yaml'].map((format) => bed.cli('ls', '-i', identityDir, ...bed.proxyArgs(), '--format', format)));
    expect(json.code).toBe(0);
    expect(yaml.code).toBe(0);
    const apps = JSON.parse(json.stdout);
    expect(apps).toEqual([
      { name: MCP_APP, transport: 'streamable-http', description: 'Team docs', labels: { env: 'dev', team: 'docs' }, publicAddr: 'docs.mcp-bridge.test' },
      { name: STDIO_APP, transport: 'stdio', description: '', labels: { env: 'dev' }, publicAddr: 'local-tools.mcp-bridge.test' },
    ]);
    expect(parseYaml(yaml.stdout)).toEqual(apps);
  });

  it('reports an unreachable proxy with the PROXY_UNREACHABLE tag and its fix on stderr, and exits 1', async () => {
    const port = await closedPort();
    const { code, stdout, stderr } = await bed.cli('ls', '-i', identityDir, '--proxy', `127.0.0.1:${port}`);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('MCP_BRIDGE_PROXY_UNREACHABLE');
    expect(stderr).toContain(`127.0.0.1:${port}`);
    expect(stderr).toContain('Fix: Check --proxy');
  });

  it('refuses an expired identity with IDENTITY_EXPIRED before asking the cluster', async () => {
    const expired = await bed.identity({ allowReissue: true, ttlMs: -30_000 });
    const { code, stderr } = await bed.cli('ls', '-i', expired, ...bed.proxyArgs());
    expect(code).toBe(1);
    expect(stderr).toContain('MCP_BRIDGE_IDENTITY_EXPIRED');
  });

  it('exits 2 with CONFIG_INVALID when no proxy is given', async () => {
    const { code, stderr } = await bed.cli('ls', '-i', identityDir);
    expect(code).toBe(2);
    expect(stderr).toContain('MCP_BRIDGE_CONFIG_INVALID');
  });
});
