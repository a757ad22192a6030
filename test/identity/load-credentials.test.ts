import { spawnSync } from 'node:child_process';
import { createPublicKey, X509Certificate } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BridgeError } from '../../src/errors/catalogue';
import { loadCredentials, validityOf, type IdentitySource } from '../../src/identity';
import { combinedIdentityText, createTestPki, issueTestIdentity, writeTbotDirectory, type TestIdentity, type TestPki } from './tbot-output';

let root: string;
let rsa: TestPki;
let p256: TestPki;
let rsaId: TestIdentity;
let p256Id: TestIdentity;
let seq = 0;
const fresh = () => join(root, `case-${++seq}`);

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'identity-load-'));
  [rsa, p256] = await Promise.all([createTestPki('rsa2048'), createTestPki('p256', 'p256.example.com', 2)]);
  [rsaId, p256Id] = await Promise.all([issueTestIdentity(rsa), issueTestIdentity(p256)]);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function failure(source: IdentitySource): Promise<BridgeError> {
  const err = await loadCredentials(source).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BridgeError);
  return err as BridgeError;
}

function writeFile(content: string, name = 'identity'): string {
  const dir = fresh();
  mkdirSync(dir);
  const path = join(dir, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

/** Whatever the error says, it must never carry key material or certificate bodies. */
function expectNoSecrets(err: BridgeError, id: TestIdentity): void {
  const body = (pem: string) => pem.split('\n')[1];
  for (const text of [err.message, err.detail, JSON.stringify(err.data)]) {
    expect(text).not.toContain('-----BEGIN');
    expect(text).not.toContain(body(id.keyPem));
    expect(text).not.toContain(body(id.certPem));
  }
}

describe('reading a tbot destination directory', () => {
  test.each([
    ['RSA-2048', () => rsaId, 'rsa', 2048],
    ['ECDSA P-256', () => p256Id, 'ecdsa-p256', 256],
  ])('a %s identity is read from the combined identity file with its key, certificate and Host CAs', async (_name, id, keyType, bits) => {
    const dir = fresh();
    writeTbotDirectory(dir, id());
    const creds = await loadCredentials({ kind: 'path', path: dir });
    expect(creds.files).toEqual([join(dir, 'identity')]);
    expect(creds.keyType).toBe(keyType);
    expect(creds.keyBits).toBe(bits);
    expect(creds.certPem).toBe(id().certPem);
    expect(creds.caPems).toEqual(id().caPems);
    expect(creds.caSubjects).toHaveLength(id().caPems.length);
    expect(creds.caSubjects[0]).toContain(`O=${id().pki.clusterName}`);
    expect(createPublicKey(creds.keyPem).export({ type: 'spki', format: 'der' })).toEqual(new X509Certificate(creds.certPem).publicKey.export({ type: 'spki', format: 'der' }));
    expect(creds.fingerprint).toBe(new X509Certificate(creds.certPem).fingerprint256.replace(/:/g, '').toLowerCase());
    expect(creds.generation).toBe(1);
    expect(creds.identity.username).toBe('bot-agent');
    expect(creds.identity.clusterName).toBe(id().pki.clusterName);
    expect(creds.warnings).toEqual([]);
    expect(validityOf(creds)).toBe('valid');
  });

  test('without an identity file, key + tlscert + teleport-host-ca.crt are read instead', async () => {
    const dir = fresh();
    writeTbotDirectory(dir, p256Id, { combined: false });
    const creds = await loadCredentials({ kind: 'path', path: dir }, 7);
    expect(creds.files).toEqual([join(dir, 'tlscert'), join(dir, 'key'), join(dir, 'teleport-host-ca.crt')]);
    expect(creds.caPems).toEqual(p256Id.caPems);
    expect(creds.generation).toBe(7);
  });

  test('the identity file itself can be named with -i, including an older layout with SSH CA lines between CA PEMs', async () => {
    const legacy = writeFile(combinedIdentityText(p256Id, 'legacy'), 'bot.pem');
    const creds = await loadCredentials({ kind: 'path', path: legacy });
    expect(creds.files).toEqual([legacy]);
    expect(creds.caPems).toEqual(p256Id.caPems);
  });

  test('newestMtime is the newest modification time of the files read', async () => {
    const dir = fresh();
    writeTbotDirectory(dir, p256Id, { combined: false });
    const { utimesSync } = await import('node:fs');
    utimesSync(join(dir, 'key'), new Date('2030-01-01T00:00:00Z'), new Date('2030-01-01T00:00:00Z'));
    const creds = await loadCredentials({ kind: 'path', path: dir });
    expect(creds.newestMtime.toISOString()).toBe('2030-01-01T00:00:00.000Z');
  });
});

describe('explicit PEM files', () => {
  test('cert, key and optional CA files are read as given', async () => {
    const dir = fresh();
    mkdirSync(dir);
    writeFileSync(join(dir, 'c.pem'), rsaId.certPem);
    writeFileSync(join(dir, 'k.pem'), rsaId.keyPem, { mode: 0o600 });
    writeFileSync(join(dir, 'ca.pem'), rsaId.caPems.join(''));
    const withCa = await loadCredentials({ kind: 'explicit', certFile: join(dir, 'c.pem'), keyFile: join(dir, 'k.pem'), caFiles: [join(dir, 'ca.pem')] });
    expect(withCa.caPems).toEqual(rsaId.caPems);
    const withoutCa = await loadCredentials({ kind: 'explicit', certFile: join(dir, 'c.pem'), keyFile: join(dir, 'k.pem'), caFiles: [] });
    expect(withoutCa.caPems).toEqual([]);
    expect(withoutCa.keyType).toBe('rsa');
  });

  test('a key file readable by group or others loads with a warning naming the file and the chmod fix', async () => {
    const dir = fresh();
    writeTbotDirectory(dir, p256Id);
    chmodSync(join(dir, 'identity'), 0o644);
    const creds = await loadCredentials({ kind: 'path', path: dir });
    expect(creds.warnings).toHaveLength(1);
    expect(creds.warnings[0]).toContain(join(dir, 'identity'));
    expect(creds.warnings[0]).toContain('0644');
    expect(creds.warnings[0]).toContain('chmod 600');
  });
});

/**
 * tbot's `readers:` grants access with a POSIX ACL, whose mask shows as group bits (0640). A real ACL, set with
 * setfacl (.ci/run installs the acl package); skipped only where the tool is missing or the file system has no ACLs.
 */
describe('key files shared through a POSIX ACL (tbot readers)', () => {
  const grantReader = (file: string) => spawnSync('setfacl', ['-m', 'u:nobody:r', file]).status === 0;
  const probe = join(mkdtempSync(join(tmpdir(), 'mcp-bridge-acl-')), 'probe');
  writeFileSync(probe, '', { mode: 0o600 });
  const aclWorks = grantReader(probe);
  const aclTest = aclWorks ? test : test.skip;
  if (!aclWorks) console.warn('setfacl unavailable or the temp file system has no ACLs: ACL tests skipped');

  aclTest('a key readable by the ACL mask (0640) gets no chmod advice at all', async () => {
    const dir = fresh();
    writeTbotDirectory(dir, p256Id);
    expect(grantReader(join(dir, 'identity'))).toBe(true);
    const creds = await loadCredentials({ kind: 'path', path: dir });
    expect(creds.warnings).toEqual([]);
  });

  aclTest('others readable beside an ACL: the advice removes only the others bits, never chmod 600', async () => {
    const dir = fresh();
    writeTbotDirectory(dir, p256Id);
    const file = join(dir, 'identity');
    expect(grantReader(file)).toBe(true);
    chmodSync(file, 0o644); // on an ACL file the group bits set the mask: 0644 keeps the reader
    const creds = await loadCredentials({ kind: 'path', path: dir });
    expect(creds.warnings).toHaveLength(1);
    expect(creds.warnings[0]).toContain(`chmod o-rwx ${file}`);
    expect(creds.warnings[0]).not.toContain('chmod 600');
  });

  test('without getfacl to tell, a group-readable key gets both fixes, conditioned on the ACL', async () => {
    const dir = fresh();
    writeTbotDirectory(dir, p256Id);
    const file = join(dir, 'identity');
    chmodSync(file, 0o640);
    const path = process.env.PATH;
    process.env.PATH = join(root, 'no-such-bin');
    try {
      const creds = await loadCredentials({ kind: 'path', path: dir });
      expect(creds.warnings).toHaveLength(1);
      expect(creds.warnings[0]).toMatch(/POSIX ACL.*chmod o-rwx.*otherwise `chmod 600/);
    } finally {
      process.env.PATH = path;
    }
  });
});

describe('bad input is refused with the file and the fix named', () => {
  test('a missing path is unreadable and named', async () => {
    const path = join(root, 'no-such-dir');
    const err = await failure({ kind: 'path', path });
    expect(err.tag).toBe('IDENTITY_UNREADABLE');
    expect(err.detail).toContain(path);
    expect(err.detail).toContain('does not exist');
    expect(err.message).toContain('Fix:');
  });

  test('an empty identity file is unreadable (tbot truncates before writing)', async () => {
    const path = writeFile('');
    const err = await failure({ kind: 'path', path });
    expect(err.tag).toBe('IDENTITY_UNREADABLE');
    expect(err.detail).toContain(`${path} is empty`);
  });

  test.each([
    ['in the private key', (t: string) => t.slice(0, t.indexOf('-----END'))],
    ['in the TLS certificate', (t: string) => t.slice(0, t.indexOf('-----END CERTIFICATE') - 10)],
    ['in the last CA', (t: string) => t.slice(0, t.lastIndexOf('-----END CERTIFICATE') + 5)],
  ])('a file cut off %s is invalid, naming the block without END', async (_where, cut) => {
    const path = writeFile(cut(combinedIdentityText(p256Id)));
    const err = await failure({ kind: 'path', path });
    expect(err.tag).toBe('IDENTITY_INVALID');
    expect(err.detail).toContain(path);
    expect(err.detail).toMatch(/has no END line/);
    expectNoSecrets(err, p256Id);
  });

  test('garbage is not an identity file', async () => {
    const path = writeFile('this is not\nan identity file\n');
    const err = await failure({ kind: 'path', path });
    expect(err.tag).toBe('IDENTITY_INVALID');
    expect(err.detail).toContain('contains no PEM blocks');
  });

  test('base64 garbage inside well-formed PEM markers is invalid without echoing it', async () => {
    const path = writeFile('-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n' + p256Id.certPem + p256Id.caPems[0]);
    const err = await failure({ kind: 'path', path });
    expect(err.tag).toBe('IDENTITY_INVALID');
    expect(err.detail).toContain('not a readable PKCS#8, PKCS#1 or SEC1 private key');
    expect(err.message).not.toContain('bm90IGEga2V5');
  });

  test('a certificate file given as -i is refused with a pointer to --cert/--key', async () => {
    const path = writeFile(p256Id.certPem, 'tlscert.pem');
    const err = await failure({ kind: 'path', path });
    expect(err.tag).toBe('IDENTITY_INVALID');
    expect(err.detail).toContain('--cert and --key');
  });

  test('a key from another renewal is a KEY_MISMATCH naming both files, with no key material', async () => {
    const other = await issueTestIdentity(p256);
    const dir = fresh();
    writeTbotDirectory(dir, p256Id, { combined: false });
    writeFileSync(join(dir, 'key'), other.keyPem);
    const err = await failure({ kind: 'path', path: dir });
    expect(err.tag).toBe('KEY_MISMATCH');
    expect(err.detail).toContain(join(dir, 'key'));
    expect(err.detail).toContain(join(dir, 'tlscert'));
    expectNoSecrets(err, other);
    expectNoSecrets(err, p256Id);
  });

  test('a combined file whose key and certificate differ is a KEY_MISMATCH', async () => {
    const other = await issueTestIdentity(p256);
    const path = writeFile(combinedIdentityText({ ...p256Id, keyPem: other.keyPem }));
    expect((await failure({ kind: 'path', path })).tag).toBe('KEY_MISMATCH');
  });

  test('an identity file without Host CA certificates is invalid', async () => {
    const path = writeFile(combinedIdentityText({ ...p256Id, caPems: [] }));
    const err = await failure({ kind: 'path', path });
    expect(err.tag).toBe('IDENTITY_INVALID');
    expect(err.detail).toContain('no Host CA certificates');
  });

  test('a directory whose teleport-host-ca.crt holds no certificate is invalid', async () => {
    const dir = fresh();
    writeTbotDirectory(dir, p256Id, { combined: false });
    writeFileSync(join(dir, 'teleport-host-ca.crt'), '# nothing here\n');
    const err = await failure({ kind: 'path', path: dir });
    expect(err.tag).toBe('IDENTITY_INVALID');
    expect(err.detail).toContain('teleport-host-ca.crt holds no CA certificate');
  });

  test('an expired certificate is still parsed and reported as expired, not thrown', async () => {
    const expired = await issueTestIdentity(rsa, { notBefore: new Date('2019-01-01T00:00:00Z'), notAfter: new Date('2019-01-01T01:00:00Z') });
    const path = writeFile(combinedIdentityText(expired));
    const creds = await loadCredentials({ kind: 'path', path });
    expect(creds.identity.notAfter.toISOString()).toBe('2019-01-01T01:00:00.000Z');
    expect(validityOf(creds)).toBe('expired');
    expect(validityOf(creds, new Date('2018-12-31T00:00:00Z'))).toBe('not-yet-valid');
    expect(validityOf(creds, new Date('2019-01-01T00:30:00Z'))).toBe('valid');
  });

  test('a directory without the expected files is not a tbot destination', async () => {
    const dir = fresh();
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'hello');
    const err = await failure({ kind: 'path', path: dir });
    expect(err.tag).toBe('IDENTITY_UNREADABLE');
    expect(err.detail).toContain('is not a tbot destination');
    expect(err.detail).toContain('`identity`');
  });

  test('a directory tbot has not written yet (empty, or only .write-test) says so', async () => {
    const dir = fresh();
    mkdirSync(dir);
    expect((await failure({ kind: 'path', path: dir })).detail).toContain('tbot has not written its first identity');
    writeFileSync(join(dir, '.write-test'), '');
    const err = await failure({ kind: 'path', path: dir });
    expect(err.tag).toBe('IDENTITY_UNREADABLE');
    expect(err.detail).toContain('tbot has not written its first identity');
  });

  test('a directory where a file is expected is unreadable and named', async () => {
    // Tests run as root, which reads 0000 files, so permission denial is exercised through EISDIR instead.
    const dir = fresh();
    writeTbotDirectory(dir, p256Id, { combined: false });
    unlinkSync(join(dir, 'key'));
    mkdirSync(join(dir, 'key'));
    const err = await failure({ kind: 'path', path: dir });
    expect(err.tag).toBe('IDENTITY_UNREADABLE');
    expect(err.detail).toBe(`${join(dir, 'key')} is a directory where a file was expected.`);
  });

  test('an explicit key path that does not exist is unreadable and named', async () => {
    const path = writeFile(p256Id.certPem, 'c.pem');
    const err = await failure({ kind: 'explicit', certFile: path, keyFile: join(root, 'missing.key'), caFiles: [] });
    expect(err.tag).toBe('IDENTITY_UNREADABLE');
    expect(err.detail).toContain(join(root, 'missing.key'));
  });
});
