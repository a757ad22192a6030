import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.resolve(__dirname, '..', '..');
const bin = path.join(repo, 'bin', 'mcp-bridge');
const tsxRegister = require.resolve('tsx/cjs', { paths: [repo] }); // absolute: the CLI runs from a scratch directory

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

let home: string;
beforeEach(async () => {
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'mcp-bridge-config-cmd-'));
});
afterEach(async () => {
  await fs.rm(home, { recursive: true, force: true });
});

/** Runs the CLI from source (tsx) with a scratch HOME and working directory, and none of our MCP_BRIDGE_ or TELEPORT_ variables. */
function config(...args: string[]): Promise<Outcome> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(MCP_BRIDGE_|TELEPORT_)/.test(k)));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--require', tsxRegister, path.join(repo, 'src', 'cli', 'main.ts'), 'config', ...args],
      { cwd: home, env: { ...env, HOME: home, XDG_CONFIG_HOME: '' }, timeout: 30_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const teleport = ['-i', 'tbot/identity', '--proxy', 'teleport.example.com:443'];

describe('mcp-bridge config', () => {
  it('prints an mcpServers entry running this installation by absolute paths, never npx', async () => {
    const { code, stdout } = await config('docs', ...teleport, '-H', 'X-Team: blue');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      mcpServers: {
        'teleport-mcp-docs': {
          command: process.execPath,
          args: [bin, 'connect', 'docs'],
          env: {
            TELEPORT_IDENTITY_FILE: path.join(home, 'tbot', 'identity'),
            TELEPORT_PROXY: 'teleport.example.com:443',
            MCP_BRIDGE_HEADERS: 'X-Team: blue',
          },
        },
      },
    });
  });

  it('carries --no-cache and --cache-dir into the entry, so the client starts connect with the same cache', async () => {
    const off = JSON.parse((await config('docs', ...teleport, '--no-cache')).stdout);
    expect(off.mcpServers['teleport-mcp-docs'].env.MCP_BRIDGE_CACHE).toBe('false');
    const moved = JSON.parse((await config('docs', ...teleport, '--cache-dir', 'agent-cache')).stdout);
    expect(moved.mcpServers['teleport-mcp-docs'].env.MCP_BRIDGE_CACHE_DIR).toBe(path.join(home, 'agent-cache'));
    expect(moved.mcpServers['teleport-mcp-docs'].env.MCP_BRIDGE_CACHE).toBeUndefined();
  });

  it('merges into the client config under HOME, backs up, and is idempotent', async () => {
    const file = path.join(home, '.cursor', 'mcp.json');
    await fs.mkdir(path.dirname(file));
    await fs.writeFile(file, '{"mcpServers": {"mine": {"command": "x"}}}');

    const first = await config('docs', ...teleport, '--client-config', 'cursor');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(`Added teleport-mcp-docs to ${file} (previous file: ${file}.bak).\nRestart Cursor to load it.\n`);
    expect(Object.keys(JSON.parse(await fs.readFile(file, 'utf8')).mcpServers)).toEqual(['mine', 'teleport-mcp-docs']);

    const second = await config('docs', ...teleport, '--client-config', 'cursor');
    expect(second.stdout).toContain('nothing changed');
  });

  it('writes a Claude-format file at a given PATH, relative to the working directory', async () => {
    const { code } = await config('docs', '--url', 'http://127.0.0.1:9/mcp', '--client-config', 'agents/mcp.json');
    expect(code).toBe(0);
    const written = JSON.parse(await fs.readFile(path.join(home, 'agents', 'mcp.json'), 'utf8'));
    expect(written.mcpServers['teleport-mcp-docs'].env).toEqual({ MCP_BRIDGE_URL: 'http://127.0.0.1:9/mcp' });
  });

  it('prints a LangChain.js program with --format langgraph-js', async () => {
    const { code, stdout } = await config('docs', ...teleport, '--format', 'langgraph-js');
    expect(code).toBe(0);
    expect(stdout).toContain('import { MultiServerMCPClient } from "@langchain/mcp-adapters";');
    expect(stdout).toContain('"teleport-mcp-docs": {');
    expect(stdout).toContain(JSON.stringify(bin));
  });

  it('refuses to run without an identity and proxy or a URL, printing nothing on stdout', async () => {
    const { code, stdout, stderr } = await config('docs', '--proxy', 'p:443');
    expect(code).not.toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toContain('MCP_BRIDGE_CONFIG_INVALID');
  });

  it('refuses a malformed -H before writing anything', async () => {
    const { code, stderr } = await config('docs', ...teleport, '-H', 'no colon here', '--client-config', 'cursor');
    expect(code).not.toBe(0);
    expect(stderr).toContain('"Name: value"');
    await expect(fs.access(path.join(home, '.cursor'))).rejects.toThrow();
  });
});
