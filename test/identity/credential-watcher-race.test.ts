import { execFile } from 'node:child_process';
import { createPublicKey, createSign, createVerify, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CredentialWatcher, type Credentials } from '../../src/identity';
import { captureLogger, createTestPki, issueTestIdentity, tbotFiles, writeTbotDirectory, type TestIdentity } from './tbot-output';

/**
 * A writer process imitates tbot renewing in place (truncate + write, tlscert before key, a new key every time) for
 * 500 generations while the watcher reads as often as it can. Whatever it reads mid-write, it must only ever hand
 * out a key that belongs to its certificate, never go back to an older renewal, and end on the last one.
 */
const RENEWALS = 500;
const run = promisify(execFile);

let root: string;
let identities: TestIdentity[];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'identity-race-'));
  const pki = await createTestPki('p256');
  identities = [];
  // Pre-generated so the race is about the writes, not about key generation.
  for (let i = 0; i <= RENEWALS; i += 50) {
    identities.push(...(await Promise.all(Array.from({ length: Math.min(50, RENEWALS + 1 - i) }, () => issueTestIdentity(pki)))));
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function keyBelongsToCert(creds: Credentials): boolean {
  const data = Buffer.from('proof of possession');
  const signature = createSign('sha256').update(data).sign(creds.keyPem);
  return createVerify('sha256').update(data).verify(new X509Certificate(creds.certPem).publicKey, signature);
}

test.each([
  ['the combined identity file', true],
  ['key + tlscert (no identity file)', false],
])(`over ${RENEWALS} in-place renewals read through %s, the watcher never yields a torn or mismatched credential`, async (via, combined) => {
  const dir = join(root, combined ? 'combined' : 'separate');
  writeTbotDirectory(dir, identities[0], { combined });
  const plan = join(root, `plan-${combined}.json`);
  writeFileSync(plan, JSON.stringify({ dir, renewals: identities.slice(1).map((id) => tbotFiles(id, { combined })) }));
  const indexOf = new Map(identities.map((id, i) => [new X509Certificate(id.certPem).fingerprint256.replace(/:/g, '').toLowerCase(), i]));

  const log = captureLogger('debug');
  const watcher = new CredentialWatcher({ kind: 'path', path: dir }, { logger: log.logger, pollIntervalMs: 1, debounceMs: 0 });
  const seen: Credentials[] = [await watcher.start()];
  const problems: string[] = [];
  const check = (creds: Credentials, where: string) => {
    const index = indexOf.get(creds.fingerprint);
    if (index === undefined) problems.push(`${where}: unknown certificate`);
    else if (creds.keyPem !== identities[index].keyPem || creds.certPem !== identities[index].certPem) problems.push(`${where}: torn PEM in generation ${creds.generation}`);
    if (!keyBelongsToCert(creds)) problems.push(`${where}: key does not match certificate in generation ${creds.generation}`);
  };
  watcher.on('generation', (creds) => {
    const previous = seen[seen.length - 1];
    check(creds, 'emitted');
    if (creds.generation !== previous.generation + 1) problems.push(`generation ${creds.generation} after ${previous.generation}`);
    if ((indexOf.get(creds.fingerprint) ?? -1) <= (indexOf.get(previous.fingerprint) ?? -1)) problems.push(`went back from renewal ${indexOf.get(previous.fingerprint)} to ${indexOf.get(creds.fingerprint)}`);
    seen.push(creds);
  });
  // Sampled sparsely: signing on every tick would starve the watcher it is checking.
  const sampler = setInterval(() => check(watcher.current(), 'current()'), 25);

  try {
    await run(process.execPath, [join(__dirname, 'tbot-renewal-writer.mjs'), plan]);
    const last = indexOf.get(new X509Certificate(identities[RENEWALS].certPem).fingerprint256.replace(/:/g, '').toLowerCase());
    while (indexOf.get(watcher.current().fingerprint) !== last) await new Promise((r) => setTimeout(r, 5));
  } finally {
    clearInterval(sampler);
    await watcher.close();
  }

  expect(problems).toEqual([]);
  expect(watcher.current().certPem).toBe(identities[RENEWALS].certPem);
  expect(createPublicKey(watcher.current().keyPem).export({ type: 'spki', format: 'der' })).toEqual(
    new X509Certificate(identities[RENEWALS].certPem).publicKey.export({ type: 'spki', format: 'der' }),
  );
  // Not asserted (it depends on scheduling), but printed so a run shows the race was real.
  const rejected = log.lines.filter((l) => l.includes('identity read rejected')).length;
  process.stderr.write(`race via ${via}: ${seen.length} generations accepted, ${rejected} reads rejected\n`);
});
