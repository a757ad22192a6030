import { execFile } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { APPS, ROLES, startMcpCluster } from '../support/mcp-cluster';

const run = promisify(execFile);
const repo = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as {
  version: string;
  dependencies?: Record<string, string>;
};

interface PackResult {
  filename: string;
  files: { path: string }[];
}

let dir: string;
let tarball: string;
let packed: PackResult;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mcp-bridge-pack-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: repo });
  packed = (JSON.parse(stdout) as PackResult[])[0];
  tarball = path.join(dir, packed.filename);
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('ships the launcher, the bundle and the README, and no sources or tests', () => {
    const files = packed.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['bin/mcp-bridge', 'dist/mcp-bridge.js', 'package.json', 'README.md']));
    expect(files.filter((f) => /^(src|test|fixtures|scripts)\//.test(f))).toEqual([]);
  });

  it('installs globally into an empty prefix and runs `mcp-bridge --help` and `--version` from its bin', async () => {
    const prefix = path.join(dir, 'prefix');
    await run('npm', ['install', '-g', tarball, '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: dir,
      timeout: 60_000,
    });
    const bin = path.join(prefix, 'bin', 'mcp-bridge');
    const help = await run(bin, ['--help'], { cwd: dir });
    expect(help.stdout).toContain('mcp-bridge <command> [options]');
    const version = await run(bin, ['--version'], { cwd: dir });
    expect(version.stdout.trim()).toBe(pkg.version);
    // Client entries must point at the installed package's launcher, found through the bin symlink.
    const entry = await run(bin, ['config', 'docs', '--url', 'http://127.0.0.1:9/mcp'], { cwd: dir });
    const installed = await fs.realpath(path.join(prefix, 'lib', 'node_modules', 'mcp-bridge', 'bin', 'mcp-bridge'));
    expect(JSON.parse(entry.stdout).mcpServers['teleport-mcp-docs'].args).toEqual([installed, 'connect', 'docs']);
  });

  it("the installed package runs the demo's connect path through the test cluster, started by absolute path from another directory", async () => {
    const prefix = path.join(dir, 'prefix-connect');
    await run('npm', ['install', '-g', tarball, '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir, timeout: 60_000 });
    const installed = await fs.realpath(path.join(prefix, 'lib', 'node_modules', 'mcp-bridge', 'bin', 'mcp-bridge'));
    const world = await startMcpCluster();
    const client = new Client({ name: 'packaging-test', version: '1.0.0' });
    try {
      const { outDir } = await world.bots.start({ name: 'packaged', roles: [ROLES.all], allowReissue: true });
      // As an MCP client starts it: node + the launcher by absolute path, settings in env, cwd unrelated to the package.
      await client.connect(
        new StdioClientTransport({
          command: process.execPath,
          args: [installed, 'connect', APPS.demo],
          env: { ...getDefaultEnvironment(), TELEPORT_IDENTITY_FILE: outDir, TELEPORT_PROXY: world.cluster.proxyAddr, MCP_BRIDGE_CA: world.cluster.publicCaFile },
          cwd: os.tmpdir(),
          stderr: 'pipe',
        }),
      );
      const whoami = (await client.callTool({ name: 'whoami', arguments: {} })) as { content: { text?: string }[] };
      expect(whoami.content.map((c) => c.text ?? '').join('')).toContain('bot-packaged');
    } finally {
      await client.close();
      await world.close();
    }
  }, 120_000);

  it('runs from the unpacked tarball alone, with no node_modules beside it', async () => {
    const unpacked = path.join(dir, 'unpacked');
    await fs.mkdir(unpacked);
    await run('tar', ['-xzf', tarball, '-C', unpacked]);
    const { stdout } = await run(process.execPath, [path.join(unpacked, 'package', 'bin', 'mcp-bridge'), '--version'], { cwd: unpacked });
    expect(stdout.trim()).toBe(pkg.version);
  });

  it('requires at run time only Node built-ins and declared dependencies', async () => {
    const bundle = await fs.readFile(path.join(repo, 'dist', 'mcp-bridge.js'), 'utf8');
    const required = new Set([...bundle.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]));
    const builtins = new Set(builtinModules);
    const declared = new Set(Object.keys(pkg.dependencies ?? {}));
    const packageName = (id: string) => id.split('/').slice(0, id.startsWith('@') ? 2 : 1).join('/');
    // node: ids are built-ins even when this Node lacks them (undici lazily requires node:sqlite, a Node 22 module).
    const isBuiltin = (id: string) => id.startsWith('node:') || builtins.has(id);
    const undeclared = [...required].filter((id) => !isBuiltin(id) && !declared.has(packageName(id)));
    expect(undeclared).toEqual([]);
  });
});
