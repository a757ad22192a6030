import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { langgraphJsSnippet, langgraphPythonSnippet } from '../../src/client-config/langgraph-snippet';
import type { StdioServer } from '../../src/client-config/stdio-server';

const run = promisify(execFile);
const repo = path.resolve(__dirname, '..', '..');
const everything = require.resolve('@modelcontextprotocol/server-everything/dist/index.js', { paths: [repo] });

// server-everything over stdio stands in for mcp-bridge; its get-env tool shows the env the snippet passed.
// The value has backslashes and quotes, as Windows paths and header values may.
const awkward = 'C:\\Users\\ada\\"tbot"\\identity';
const server: StdioServer = { command: process.execPath, args: [everything, 'stdio'], env: { TELEPORT_IDENTITY_FILE: awkward } };

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mcp-bridge-langgraph-'));
  // The snippet imports @langchain/mcp-adapters by name, as it would inside the user's project.
  await fs.symlink(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('langgraphJsSnippet', () => {
  it('runs as printed: lists the tools and calls the named one with the configured env', async () => {
    const file = path.join(dir, 'teleport-mcp-docs.mjs');
    await fs.writeFile(file, langgraphJsSnippet('teleport-mcp-docs', server));
    const { stdout } = await run(process.execPath, [file, 'get-env'], { cwd: dir, timeout: 45_000 });
    expect(stdout).toMatch(/^tools: .*\becho\b/m);
    expect(stdout).toContain('get-env:');
    expect(stdout).toContain(JSON.stringify(awkward).slice(1, -1)); // get-env answers with the env as JSON
  });

  it('calls the first tool without required arguments when no tool is named', async () => {
    const file = path.join(dir, 'no-args.mjs');
    await fs.writeFile(file, langgraphJsSnippet('teleport-mcp-docs', server));
    const { stdout } = await run(process.execPath, [file], { cwd: dir, timeout: 45_000 });
    const called = /^([\w-]+):/m.exec(stdout.split('\n').slice(1).join('\n'));
    expect(called).not.toBeNull();
    expect(['echo', 'get-sum']).not.toContain(called![1]); // both require arguments
  });
});

describe('langgraphPythonSnippet', () => {
  it('is valid Python holding the server entry exactly', async () => {
    const file = path.join(dir, 'snippet.py');
    await fs.writeFile(file, langgraphPythonSnippet('teleport-mcp-docs', server));
    // Parse the script and evaluate the literal dict passed to MultiServerMCPClient, without importing LangChain.
    const probe = [
      'import ast, json, sys',
      'tree = ast.parse(open(sys.argv[1]).read())',
      'call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "MultiServerMCPClient")',
      'print(json.dumps(ast.literal_eval(call.args[0])))',
    ].join('\n');
    const { stdout } = await run('python3', ['-c', probe, file], { timeout: 20_000 });
    expect(JSON.parse(stdout)).toEqual({ 'teleport-mcp-docs': { transport: 'stdio', ...server } });
  });
});
