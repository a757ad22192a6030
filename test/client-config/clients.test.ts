import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLIENT_WRITERS, resolveClientTarget, writeClientConfig } from '../../src/client-config/clients';
import type { PlatformContext } from '../../src/client-config/default-paths';
import type { StdioServer } from '../../src/client-config/stdio-server';

const server: StdioServer = {
  command: '/usr/local/bin/node',
  args: ['/opt/mcp-bridge/bin/mcp-bridge', 'connect', 'docs'],
  env: { TELEPORT_IDENTITY_FILE: '/var/lib/tbot/identity', TELEPORT_PROXY: 'teleport.example.com:443' },
};
const name = 'teleport-mcp-docs';

let home: string;
let ctx: PlatformContext;
beforeEach(async () => {
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'mcp-bridge-clients-'));
  ctx = { platform: 'linux', home, env: {} };
});
afterEach(async () => {
  await fs.rm(home, { recursive: true, force: true });
});

const readJson = async (file: string) => JSON.parse(await fs.readFile(file, 'utf8'));

describe.each(CLIENT_WRITERS.map((w) => [w.id, w] as const))('the %s writer', (id, writer) => {
  it('creates its default config file and directories under the home directory when absent', async () => {
    const target = resolveClientTarget(id, ctx);
    expect(target.path.startsWith(home + path.sep)).toBe(true);
    const result = await writeClientConfig(target, name, server);
    expect(result.status).toBe('created');
    expect(await readJson(target.path)).toEqual({ [writer.serversKey]: { [name]: writer.toEntry(server) } });
  });

  it('merges into an existing file keeping other keys and servers, with a backup, and is idempotent', async () => {
    const target = resolveClientTarget(id, ctx);
    await fs.mkdir(path.dirname(target.path), { recursive: true });
    const before = JSON.stringify({ numStartups: 3, [writer.serversKey]: { mine: { command: 'mine' } } }, null, 2);
    await fs.writeFile(target.path, before);

    const first = await writeClientConfig(target, name, server);
    expect(first).toMatchObject({ status: 'updated', backupPath: `${target.path}.bak` });
    expect(await fs.readFile(`${target.path}.bak`, 'utf8')).toBe(before);
    expect(await readJson(target.path)).toEqual({
      numStartups: 3,
      [writer.serversKey]: { mine: { command: 'mine' }, [name]: writer.toEntry(server) },
    });

    const afterFirst = await fs.readFile(target.path, 'utf8');
    const second = await writeClientConfig(target, name, server);
    expect(second.status).toBe('unchanged');
    expect(await fs.readFile(target.path, 'utf8')).toBe(afterFirst);
    expect(await fs.readFile(`${target.path}.bak`, 'utf8')).toBe(before); // the backup was not rotated
  });
});

describe('client formats', () => {
  it('writes Claude Desktop, Cursor and Claude Code entries under mcpServers, VS Code ones under servers', () => {
    expect(Object.fromEntries(CLIENT_WRITERS.map((w) => [w.id, w.serversKey]))).toEqual({
      claude: 'mcpServers',
      cursor: 'mcpServers',
      vscode: 'servers',
      'claude-code': 'mcpServers',
    });
  });

  it('types VS Code and Claude Code entries as stdio and leaves Claude Desktop and Cursor entries untyped', () => {
    const types = Object.fromEntries(CLIENT_WRITERS.map((w) => [w.id, w.toEntry(server).type]));
    expect(types).toEqual({ claude: undefined, cursor: undefined, vscode: 'stdio', 'claude-code': 'stdio' });
    for (const w of CLIENT_WRITERS) expect(w.toEntry(server)).toMatchObject({ command: server.command, args: server.args, env: server.env });
  });

  it("merges into a VS Code mcp.json that has comments and trailing commas, keeping its inputs", async () => {
    const target = resolveClientTarget('vscode', ctx);
    await fs.mkdir(path.dirname(target.path), { recursive: true });
    const before = `{
  // Servers for Copilot agent mode
  "servers": {
    "github": { "type": "http", "url": "https://api.githubcopilot.com/mcp/", },
  },
  "inputs": [ { "type": "promptString", "id": "token", "password": true }, ],
}
`;
    await fs.writeFile(target.path, before);
    const result = await writeClientConfig(target, name, server);
    expect(result).toMatchObject({ status: 'updated', droppedComments: true });
    expect(await readJson(target.path)).toEqual({
      servers: {
        github: { type: 'http', url: 'https://api.githubcopilot.com/mcp/' },
        [name]: { type: 'stdio', command: server.command, args: server.args, env: server.env },
      },
      inputs: [{ type: 'promptString', id: 'token', password: true }],
    });
    expect(await fs.readFile(`${target.path}.bak`, 'utf8')).toBe(before);
    expect((await writeClientConfig(target, name, server)).status).toBe('unchanged');
  });
});

describe('resolveClientTarget', () => {
  it('treats any other value as a Claude-format file, relative to the working directory', () => {
    const target = resolveClientTarget('configs/agent.json', ctx, '/work/project');
    expect(target).toEqual({ writer: CLIENT_WRITERS[0], path: '/work/project/configs/agent.json' });
    expect(target.writer.serversKey).toBe('mcpServers');
    expect(resolveClientTarget('./cursor', ctx, '/w').path).toBe('/w/cursor');
  });
});
