import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startFaultBed, type FaultBed } from './support/fault-bed';
import { Load } from './support/load';
import { until } from '../support/until';

const HEADER_VALUES = ['Bearer s3cr3t-token-value-0123456789', 'api-key-value-9876543210-abcdef'];
const RENEWALS = 3;

let bed: FaultBed;

beforeAll(async () => {
  bed = await startFaultBed({ bridgeArgs: ['-H', `Authorization: ${HEADER_VALUES[0]}`, '-H', `X-Api-Key: ${HEADER_VALUES[1]}`] });
});

afterAll(async () => {
  await bed?.close();
});

/** The base64 body lines of every PEM block in tbot's output right now (keys, certificates, CAs). */
async function pemBodyLines(dir: string): Promise<string[]> {
  const lines: string[] = [];
  for (const name of await readdir(dir)) {
    const text = await readFile(join(dir, name), 'utf8');
    for (const block of text.match(/-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g) ?? []) {
      lines.push(...block.split('\n').filter((l) => !l.startsWith('-----') && l.length >= 32));
    }
  }
  return lines;
}

test('a debug log of a whole session with renewals and a reissue holds no key, certificate body, JWT or -H header value', async () => {
  const secrets = new Set(await pemBodyLines(bed.tbot.outDir));
  const load = new Load(bed.bridge.client, 2);
  load.start();
  const issued = () => bed.cluster.recorder.rpcs.filter((r) => r.method === 'GenerateUserCerts' && r.code === 0).length;
  for (let i = 0; i < RENEWALS; i++) {
    const before = issued();
    await bed.cluster.control.renewNow();
    for (const line of await pemBodyLines(bed.tbot.outDir)) secrets.add(line);
    await until(() => issued() > before);
  }
  bed.cluster.control.expireAppSessions();
  expect(await load.probe()).toBe('ok');
  const summary = await load.stop();
  expect(summary.errors).toEqual({});
  await bed.bridge.close(); // the whole session, shutdown included

  const log = await readFile(bed.bridge.logFile, 'utf8');
  // The log is real: debug lines of renewals and the reissue are there.
  expect(log).toMatch(/DEBUG/);
  expect(log).toMatch(/new identity generation/);
  expect(log).toMatch(/refused the app certificate/);
  expect(log).not.toMatch(/-----BEGIN/);
  expect(log).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\./);
  for (const value of HEADER_VALUES) expect(log).not.toContain(value);
  expect(secrets.size).toBeGreaterThan(10 * RENEWALS);
  expect([...secrets].filter((line) => log.includes(line))).toEqual([]);
}, 120_000);
