import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mergeServerEntry } from '../../src/client-config/config-file';
import { BridgeError } from '../../src/errors/catalogue';

const entry = { command: '/usr/bin/node', args: ['/opt/mcp-bridge/bin/mcp-bridge', 'connect', 'docs'], env: { TELEPORT_PROXY: 'p:443' } };

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mcp-bridge-config-file-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const readJson = async (file: string) => JSON.parse(await fs.readFile(file, 'utf8'));
const exists = (file: string) => fs.access(file).then(() => true, () => false);

async function expectTag(promise: Promise<unknown>, tag: string): Promise<BridgeError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(BridgeError);
  expect((err as BridgeError).tag).toBe(tag);
  return err as BridgeError;
}

describe('mergeServerEntry', () => {
  it('creates a missing file and its directories, private, as 2-space JSON', async () => {
    const file = path.join(dir, 'a', 'b', 'config.json');
    const result = await mergeServerEntry(file, 'mcpServers', 'teleport-mcp-docs', entry);
    expect(result).toEqual({ path: file, status: 'created', droppedComments: false });
    const text = await fs.readFile(file, 'utf8');
    expect(text).toBe(JSON.stringify({ mcpServers: { 'teleport-mcp-docs': entry } }, null, 2) + '\n');
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect(await fs.readdir(path.dirname(file))).toEqual(['config.json']); // no temp file left behind
  });

  it('keeps every other key, in order, and backs up the previous file to <file>.bak', async () => {
    const file = path.join(dir, 'config.json');
    const before = '{"theme":"dark","mcpServers":{"other":{"command":"x"}},"zoom":{"level":2}}';
    await fs.writeFile(file, before);
    const result = await mergeServerEntry(file, 'mcpServers', 'teleport-mcp-docs', entry);
    expect(result).toEqual({ path: file, status: 'updated', backupPath: `${file}.bak`, droppedComments: false });
    const after = await readJson(file);
    expect(Object.keys(after)).toEqual(['theme', 'mcpServers', 'zoom']);
    expect(after).toEqual({ theme: 'dark', mcpServers: { other: { command: 'x' }, 'teleport-mcp-docs': entry }, zoom: { level: 2 } });
    expect(await fs.readFile(`${file}.bak`, 'utf8')).toBe(before);
  });

  it('changes nothing and writes no backup when the same entry is already there', async () => {
    const file = path.join(dir, 'config.json');
    await fs.writeFile(file, '{"keep": true}');
    await mergeServerEntry(file, 'mcpServers', 'teleport-mcp-docs', entry);
    await fs.rm(`${file}.bak`);
    const written = await fs.readFile(file, 'utf8');
    const again = await mergeServerEntry(file, 'mcpServers', 'teleport-mcp-docs', structuredClone(entry));
    expect(again).toEqual({ path: file, status: 'unchanged', droppedComments: false });
    expect(await fs.readFile(file, 'utf8')).toBe(written);
    expect(await exists(`${file}.bak`)).toBe(false);
  });

  it('replaces a changed entry of the same name in place', async () => {
    const file = path.join(dir, 'config.json');
    await fs.writeFile(file, JSON.stringify({ mcpServers: { a: {}, 'teleport-mcp-docs': { command: 'old' }, z: {} } }));
    await mergeServerEntry(file, 'mcpServers', 'teleport-mcp-docs', entry);
    const servers = (await readJson(file)).mcpServers;
    expect(Object.keys(servers)).toEqual(['a', 'teleport-mcp-docs', 'z']);
    expect(servers['teleport-mcp-docs']).toEqual(entry);
  });

  it("keeps an existing file's mode", async () => {
    const file = path.join(dir, 'config.json');
    await fs.writeFile(file, '{}');
    await fs.chmod(file, 0o640);
    await mergeServerEntry(file, 'mcpServers', 'teleport-mcp-docs', entry);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o640);
  });

  it('writes through a symlinked config file and keeps the link', async () => {
    const real = path.join(dir, 'dotfiles', 'config.json');
    const link = path.join(dir, 'config.json');
    await fs.mkdir(path.dirname(real));
    await fs.writeFile(real, '{"keep": 1}');
    await fs.symlink(real, link);
    const result = await mergeServerEntry(link, 'mcpServers', 'teleport-mcp-docs', entry);
    expect(result.path).toBe(await fs.realpath(real));
    expect((await fs.lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readJson(real)).toEqual({ keep: 1, mcpServers: { 'teleport-mcp-docs': entry } });
  });

  it('reads JSONC, says the comments were dropped, and keeps them in the backup', async () => {
    const file = path.join(dir, 'mcp.json');
    const before = '{\n  // my servers\n  "servers": {\n    "x": { "type": "stdio", "command": "y", },\n  },\n}\n';
    await fs.writeFile(file, before);
    const result = await mergeServerEntry(file, 'servers', 'teleport-mcp-docs', entry);
    expect(result.droppedComments).toBe(true);
    expect(await readJson(file)).toEqual({ servers: { x: { type: 'stdio', command: 'y' }, 'teleport-mcp-docs': entry } });
    expect(await fs.readFile(`${file}.bak`, 'utf8')).toBe(before);
  });

  it('refuses a file that is not JSON, naming it and its position, and leaves it alone', async () => {
    const file = path.join(dir, 'config.json');
    await fs.writeFile(file, '{"mcpServers": {\n  "a": 1 "b": 2\n}}');
    const err = await expectTag(mergeServerEntry(file, 'mcpServers', 'teleport-mcp-docs', entry), 'CLIENT_CONFIG_INVALID');
    expect(err.detail).toBe(`${file}: not valid JSON (line 2, column 10).`);
    expect(await fs.readFile(file, 'utf8')).toBe('{"mcpServers": {\n  "a": 1 "b": 2\n}}');
    expect(await exists(`${file}.bak`)).toBe(false);
  });

  it('refuses a servers member or top level that is not an object', async () => {
    const file = path.join(dir, 'config.json');
    await fs.writeFile(file, '{"mcpServers": []}');
    const err = await expectTag(mergeServerEntry(file, 'mcpServers', 'n', entry), 'CLIENT_CONFIG_INVALID');
    expect(err.detail).toContain('"mcpServers" is not a JSON object');
    await fs.writeFile(file, '[1]');
    await expectTag(mergeServerEntry(file, 'mcpServers', 'n', entry), 'CLIENT_CONFIG_INVALID');
  });

  it('reports a directory it cannot create as unwritable, naming the file', async () => {
    const blocker = path.join(dir, 'not-a-dir');
    await fs.writeFile(blocker, '');
    const file = path.join(blocker, 'sub', 'config.json');
    const err = await expectTag(mergeServerEntry(file, 'mcpServers', 'n', entry), 'CLIENT_CONFIG_UNWRITABLE');
    expect(err.detail).toMatch(/^Could not create the directory of .*not-a-dir\/sub\/config\.json \(E[A-Z]+\)\.$/);
  });
});
