import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialWatcher } from '../../src/identity';
import { silentLogger } from '../../src/log/logger';
import { createTeleportUpstream } from '../../src/teleport/app-upstream';
import { createTestPki, issueTestIdentity, writeTbotDirectory } from '../identity/tbot-output';
import { until } from '../support/until';

/** A proxy that accepts connections and never says a word (a start-up against it stays under way), until told to hang up. */
let silent: Server;
const held: Socket[] = [];
let hangUp = false;
let dir: string;

beforeAll(async () => {
  silent = createServer((socket) => {
    if (hangUp) socket.destroy();
    else held.push(socket);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
  dir = mkdtempSync(join(tmpdir(), 'upstream-start-'));
  writeTbotDirectory(dir, await issueTestIdentity(await createTestPki('p256')));
});

afterAll(async () => {
  for (const socket of held) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

test('close() does not wait for a start-up still under way, which then ends as SHUTTING_DOWN', async () => {
  const identity = new CredentialWatcher({ kind: 'path', path: dir }, { logger: silentLogger });
  const proxy = `127.0.0.1:${(silent.address() as { port: number }).port}`;
  const upstream = createTeleportUpstream({ proxy, app: 'app', identity, extraCAs: [], insecure: false, headers: {}, logger: silentLogger });
  expect(held).toHaveLength(0); // nothing dialed before something asks
  const ready = upstream.ready();
  ready.catch(() => undefined);
  // The ping, and the app lookup's Auth Service client (its ALPN probe first), are waiting on the silent proxy.
  await until(() => held.length >= 2);
  await upstream.close();
  // What the start-up was waiting for fails now, and whatever it dials next.
  hangUp = true;
  for (const socket of held) socket.destroy();
  await expect(ready).rejects.toMatchObject({ tag: 'SHUTTING_DOWN' });
  await expect(upstream.ready()).rejects.toMatchObject({ tag: 'SHUTTING_DOWN' });
  await identity.close();
});
