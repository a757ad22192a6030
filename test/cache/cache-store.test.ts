import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CacheStore, defaultCacheDir, entryName } from '../../src/cache';
import { createLogger } from '../../src/log/logger';

/** A store on a fresh directory (not created yet) whose log lines are kept. */
function storeIn(dir: string): { store: CacheStore; lines: string[] } {
  const lines: string[] = [];
  return { store: new CacheStore(dir, createLogger({ level: 'debug', format: 'text', sink: (l) => lines.push(l) })), lines };
}

const FOREIGN_UID = 4321;
const later = () => new Date(Date.now() + 3600_000);
const mode = async (path: string) => (await stat(path)).mode & 0o777;

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'cache-store-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

test('the default location is $XDG_CACHE_HOME/mcp-bridge, else ~/.cache/mcp-bridge (a relative XDG_CACHE_HOME is ignored)', () => {
  expect(defaultCacheDir({ XDG_CACHE_HOME: '/x/cache' }, '/home/u')).toBe('/x/cache/mcp-bridge');
  expect(defaultCacheDir({}, '/home/u')).toBe('/home/u/.cache/mcp-bridge');
  expect(defaultCacheDir({ XDG_CACHE_HOME: 'rel' }, '/home/u')).toBe('/home/u/.cache/mcp-bridge');
});

test('entry names are hashes of the key: no key part can shape a path', () => {
  const name = entryName('app-cert', ['../../etc', 'a/b', '\0']);
  expect(name).toMatch(/^app-cert-[0-9a-f]{40}$/);
  expect(entryName('app-cert', ['a', 'b'])).not.toBe(entryName('app-cert', ['ab']));
});

test('the first write creates the directory (and missing parents) 0700 and the entry 0600; the entry reads back', async () => {
  const dir = join(root, 'deep', 'mcp-bridge');
  const { store } = storeIn(dir);
  expect(await store.write('thing-1', { hello: 'world' }, later())).toBe(true);
  expect(await mode(dir)).toBe(0o700);
  expect(await mode(join(root, 'deep'))).toBe(0o700);
  expect(await mode(join(dir, 'thing-1.json'))).toBe(0o600);
  expect((await store.read('thing-1'))?.data).toEqual({ hello: 'world' });
  expect(await readdir(dir)).toEqual(['thing-1.json']); // no temporary file left behind
});

describe('a directory that is not private to this user is refused: nothing is read or written, said once at warn level', () => {
  test.each([
    ['group-readable', (dir: string) => chmod(dir, 0o750)],
    ['world-writable', (dir: string) => chmod(dir, 0o777)],
    ['owned by another user', (dir: string) => chown(dir, FOREIGN_UID, FOREIGN_UID)],
  ])('%s', async (_, spoil) => {
    const dir = join(root, 'mcp-bridge');
    const first = storeIn(dir);
    await first.store.write('thing-1', { v: 1 }, later());
    await spoil(dir);
    const { store, lines } = storeIn(dir);
    expect(await store.read('thing-1')).toBeUndefined();
    expect(await store.write('thing-2', { v: 2 }, later())).toBe(false);
    expect(await store.lock('thing-1', { timeoutMs: 1000, staleMs: 60_000 })).toBeUndefined();
    expect(await readdir(dir)).toEqual(['thing-1.json']);
    expect(lines.filter((l) => l.includes('WARN'))).toHaveLength(1);
    expect(lines[0]).toContain(`not using the cache directory ${dir}`);
    expect((await store.status()).usable).toBe(false);
  });
});

describe('an entry that is not a private file of this user is ignored with a debug line, never an error', () => {
  let dir: string;
  let store: CacheStore;
  let lines: string[];
  beforeEach(async () => {
    dir = join(root, 'mcp-bridge');
    ({ store, lines } = storeIn(dir));
    await store.write('thing-1', { secret: 'mine' }, later());
  });
  const file = () => join(dir, 'thing-1.json');

  test.each([
    ['group-readable', () => chmod(file(), 0o640), /mode 0640/],
    ['world-readable', () => chmod(file(), 0o604), /mode 0604/],
    ['owned by another user', () => chown(file(), FOREIGN_UID, FOREIGN_UID), /owned by uid 4321/],
    ['a symlink', async () => {
      await writeFile(join(root, 'elsewhere.json'), await readFile(file()), { mode: 0o600 });
      await rm(file());
      await symlink(join(root, 'elsewhere.json'), file());
    }, /symlink/],
    ['corrupt', () => writeFile(file(), '{"v":1,"expiresAt":"2099-01-01T00:00:00Z","da', { mode: 0o600 }), /corrupt/],
    ['not an entry', () => writeFile(file(), '[1,2,3]', { mode: 0o600 }), /corrupt/],
  ])('%s', async (_, spoil, reason) => {
    await spoil();
    expect(await store.read('thing-1')).toBeUndefined();
    const debug = lines.find((l) => l.includes('ignoring a cache entry'));
    expect(debug).toMatch(/DEBUG/);
    expect(debug).toMatch(reason);
    expect(lines.some((l) => /WARN|ERROR/.test(l))).toBe(false);
  });

  test('a hard-linked entry is ignored (a second name could sit where others can read it)', async () => {
    const { link } = await import('node:fs/promises');
    await link(file(), join(root, 'second-name.json'));
    expect(await store.read('thing-1')).toBeUndefined();
    expect(lines.find((l) => l.includes('ignoring'))).toMatch(/2 hard links/);
  });

  test('a write replaces an ignored entry with a private one of this user', async () => {
    await chown(file(), FOREIGN_UID, FOREIGN_UID);
    await chmod(file(), 0o644);
    await store.write('thing-1', { secret: 'new' }, later());
    const s = await stat(file());
    expect([s.uid, s.mode & 0o777]).toEqual([process.getuid!(), 0o600]);
    expect((await store.read('thing-1'))?.data).toEqual({ secret: 'new' });
  });
});

test('an expired entry reads as absent and is removed', async () => {
  const dir = join(root, 'mcp-bridge');
  const { store } = storeIn(dir);
  await store.write('thing-1', { v: 1 }, new Date(Date.now() + 60_000));
  expect(await store.read('thing-1', new Date(Date.now() + 120_000))).toBeUndefined();
  expect(await readdir(dir)).toEqual([]);
});

test('a sweep removes expired, corrupt and unsafe entries and old temporary files; it leaves live entries and other users’ files', async () => {
  const dir = join(root, 'mcp-bridge');
  const { store } = storeIn(dir);
  await store.write('live-1', { v: 1 }, later());
  await store.write('expired-1', { v: 1 }, new Date(Date.now() + 1000));
  await store.write('foreign-1', { v: 1 }, new Date(Date.now() + 1000));
  await chown(join(dir, 'foreign-1.json'), FOREIGN_UID, FOREIGN_UID);
  await store.write('loose-1', { v: 1 }, later());
  await chmod(join(dir, 'loose-1.json'), 0o644);
  await writeFile(join(dir, 'corrupt-1.json'), 'not json', { mode: 0o600 });
  await writeFile(join(dir, '.tmp-old'), 'x', { mode: 0o600 });
  await writeFile(join(dir, '.tmp-fresh'), 'x', { mode: 0o600 });
  const hourAgo = new Date(Date.now() - 3600_000);
  await utimes(join(dir, '.tmp-old'), hourAgo, hourAgo);
  await store.sweep(new Date(Date.now() + 5000));
  expect((await readdir(dir)).sort()).toEqual(['.tmp-fresh', 'foreign-1.json', 'live-1.json']);
});

test('readers racing rewriters see a whole entry every time, never a torn one', async () => {
  const dir = join(root, 'mcp-bridge');
  const { store } = storeIn(dir);
  const value = (i: number) => ({ i, pad: String(i).repeat(20_000) });
  await store.write('race-1', value(0), later());
  const writers = Array.from({ length: 30 }, (_, i) => store.write('race-1', value(i + 1), later()));
  const reads = await Promise.all(Array.from({ length: 60 }, () => store.read('race-1')));
  await Promise.all(writers);
  for (const entry of reads) {
    const data = entry!.data as { i: number; pad: string };
    expect(data.pad).toBe(String(data.i).repeat(20_000));
  }
  expect((await readdir(dir)).filter((f) => f.startsWith('.tmp-'))).toEqual([]);
});

test('list returns the usable entries of one kind', async () => {
  const { store } = storeIn(join(root, 'mcp-bridge'));
  await store.write('a-1', { n: 1 }, later());
  await store.write('a-2', { n: 2 }, later());
  await store.write('b-1', { n: 3 }, later());
  await mkdir(join(root, 'mcp-bridge', 'a-3.json'));
  expect((await store.list('a')).map((e) => e.data).sort((x: any, y: any) => x.n - y.n)).toEqual([{ n: 1 }, { n: 2 }]);
});
