import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { BIN, REPO } from '../support/cli';
import { APPS, ROLES, startMcpCluster, type McpCluster } from '../support/mcp-cluster';

/**
 * The README's client examples, run as printed against the test cluster: only the placeholders are replaced (tbot
 * directory, proxy, app, CA file, paths of node and mcp-bridge).
 */

const README = readFileSync(join(REPO, 'README.md'), 'utf8');

/** The fenced blocks of one language in the "Quick start against a real cluster" section. */
function blocks(language: string): string[] {
  const section = README.slice(README.indexOf('## Quick start against a real cluster'), README.indexOf('\n## ', README.indexOf('## Quick start') + 3));
  return [...section.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
}

let world: McpCluster;
let identityDir: string;
let scratch: string;

function withTestValues(text: string): string {
  const values: [string, string][] = [
    ['/opt/machine-id', identityDir],
    ['teleport.example.com:443', world.cluster.proxyAddr],
    ['/etc/ssl/teleport-proxy-ca.pem', world.cluster.publicCaFile],
    ['/usr/local/bin/mcp-bridge', BIN],
    ['/usr/bin/node', process.execPath],
    ['grafana-mcp', APPS.demo],
  ];
  return values.reduce((out, [placeholder, value]) => out.split(placeholder).join(value), text);
}

beforeAll(async () => {
  world = await startMcpCluster();
  identityDir = (await world.bots.start({ name: 'readme', roles: [ROLES.all], allowReissue: true })).outDir;
  // Inside node_modules/ so the .mjs resolves @langchain/mcp-adapters the way a user's project does.
  scratch = mkdtempSync(join(REPO, 'node_modules', '.readme-examples-'));
});

afterAll(async () => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  await world?.close();
});

test('the README has exactly one Claude Desktop entry, one LangGraph JS and one Python block', () => {
  expect([blocks('json').length, blocks('js').length, blocks('python').length]).toEqual([1, 1, 1]);
});

test('the Claude Desktop entry, started with exactly its command, args and env, serves the app', async () => {
  const config = JSON.parse(withTestValues(blocks('json')[0]));
  const [entry] = Object.values(config.mcpServers) as { command: string; args: string[]; env: Record<string, string> }[];
  // What Claude Desktop does: the SDK's default environment (HOME, PATH, …) plus the entry's env.
  const transport = new StdioClientTransport({ command: entry.command, args: entry.args, env: { ...getDefaultEnvironment(), ...entry.env } });
  const client = new Client({ name: 'claude-desktop-like', version: '1.0.0' });
  await client.connect(transport);
  try {
    expect(client.getServerVersion()?.name).toBe('mcp-bridge-demo');
    const result: any = await client.callTool({ name: 'whoami', arguments: {} });
    expect(JSON.parse(result.content[0].text)).toMatchObject({ username: 'bot-readme' });
  } finally {
    await client.close();
  }
});

test('the LangGraph JS block runs as an .mjs program: lists the tools and invokes one', async () => {
  const file = join(scratch, 'agent.mjs');
  writeFileSync(file, withTestValues(blocks('js')[0]));
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, [file], { timeout: 60_000 }, (err, out, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(out))),
  );
  expect(stdout).toMatch(/^tools: .*\bwhoami\b/m);
  expect(stdout).toMatch(/^(whoami|time): /m);
});

test('the Python block runs with langchain-mcp-adapters from PyPI: each tool call is a new bridge process, all share one app certificate', async () => {
  // The venv is built once per requirements file and kept outside the repository (.ci/run builds it first).
  const python = await new Promise<string>((resolve, reject) =>
    execFile(join(REPO, 'scripts', 'python-venv.sh'), [join(REPO, 'test', 'python', 'requirements.txt')], (err, out, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(out.trim()))),
  );
  // A bot of its own: its first app certificate is issued in this run, by one of the processes the program starts.
  const pythonDir = (await world.bots.start({ name: 'readme-python', roles: [ROLES.all], allowReissue: true })).outDir;
  const file = join(scratch, 'agent.py');
  writeFileSync(file, withTestValues(blocks('python')[0]).split(identityDir).join(pythonDir));
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(python, [file], { timeout: 120_000 }, (err, out, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(out))),
  );
  expect(stdout).toMatch(/^tools: .*\bwhoami\b/m);
  const calls = stdout.split('\n').filter((l) => /^(whoami|time): /.test(l));
  expect(calls).toHaveLength(3);
  const bySession = world.cluster.recorder.appRequests.filter((r) => r.username === 'bot-readme-python' && (r.body as { method?: string } | undefined)?.method === 'initialize');
  expect(bySession.length).toBe(4); // get_tools and three calls: four bridge processes, as LangGraph starts them
  expect(bySession.every((r) => r.status === 200)).toBe(true);
  const issued = world.cluster.recorder.rpcs.filter((r) => r.method === 'GenerateUserCerts' && r.caller === 'bot-readme-python');
  expect(issued.map((r) => r.code)).toEqual([0]); // one reissue for the identity generation, whatever the processes
}, 600_000);
