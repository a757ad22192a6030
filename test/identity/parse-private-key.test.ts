import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { BridgeError } from '../../src/errors/catalogue';
import { pemBlocks } from '../../src/identity/pem';
import { parsePrivateKey } from '../../src/identity/private-key';

const pemOf = (key: KeyObject, type: 'pkcs1' | 'pkcs8' | 'sec1') => key.export({ type, format: 'pem' }) as string;
const parse = (pem: string) => parsePrivateKey(pemBlocks(pem, 'key')[0], 'key');
/** Same DER under another header: Teleport's reader tolerates headers that lie, so must we. */
const relabel = (pem: string, label: string) => pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, `-----$1 ${label}-----`);

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
const ed = generateKeyPairSync('ed25519').privateKey;

describe('private keys are read in every encoding Teleport writes or accepts', () => {
  test.each([
    ['RSA PKCS#1', pemOf(rsa, 'pkcs1'), 'rsa', 2048],
    ['RSA PKCS#8', pemOf(rsa, 'pkcs8'), 'rsa', 2048],
    ['P-256 PKCS#8', pemOf(ec, 'pkcs8'), 'ecdsa-p256', 256],
    ['P-256 SEC1', pemOf(ec, 'sec1'), 'ecdsa-p256', 256],
    ['Ed25519 PKCS#8', pemOf(ed, 'pkcs8'), 'ed25519', 256],
    ['PKCS#1 RSA under a PRIVATE KEY header', relabel(pemOf(rsa, 'pkcs1'), 'PRIVATE KEY'), 'rsa', 2048],
    ['SEC1 P-256 under an RSA PRIVATE KEY header', relabel(pemOf(ec, 'sec1'), 'RSA PRIVATE KEY'), 'ecdsa-p256', 256],
    ['PKCS#8 P-256 under an EC PRIVATE KEY header', relabel(pemOf(ec, 'pkcs8'), 'EC PRIVATE KEY'), 'ecdsa-p256', 256],
  ])('%s', (_name, pem, keyType, bits) => {
    const parsed = parse(pem);
    expect(parsed.keyType).toBe(keyType);
    expect(parsed.keyBits).toBe(bits);
  });
});

describe('keys Teleport does not issue are refused', () => {
  test('RSA below 2048 bits', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    expect(() => parse(pemOf(small, 'pkcs1'))).toThrow('the RSA key has 1024 bits');
  });

  test('ECDSA on a curve other than P-256', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey;
    expect(() => parse(pemOf(p384, 'pkcs8'))).toThrow('curve secp384r1');
  });

  test('an encrypted key', () => {
    const pem = rsa.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }) as string;
    expect(() => parse(pem)).toThrow(BridgeError);
    expect(() => parse(pem)).toThrow('is encrypted');
  });

  test('a certificate where the key should be', () => {
    expect(() => parse('-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n')).toThrow('expected a private key but found a CERTIFICATE block');
  });
});
