import { createPrivateKey, type KeyObject } from 'node:crypto';
import { BridgeError } from '../errors/catalogue';
import { pemBody, type PemBlock } from './pem';
import type { KeyType } from './types';

type DerEncoding = 'pkcs8' | 'pkcs1' | 'sec1';

export interface ParsedPrivateKey {
  key: KeyObject;
  keyType: KeyType;
  keyBits?: number;
}

const MIN_RSA_BITS = 2048;

/** The encoding the header names first, then the others: Teleport's reader does the same, since headers can lie. */
function encodingsFor(label: string): DerEncoding[] {
  const preferred: DerEncoding = label === 'RSA PRIVATE KEY' ? 'pkcs1' : label === 'EC PRIVATE KEY' ? 'sec1' : 'pkcs8';
  return [preferred, ...(['pkcs8', 'pkcs1', 'sec1'] as const).filter((e) => e !== preferred)];
}

function keyTypeOf(key: KeyObject, file: string): Pick<ParsedPrivateKey, 'keyType' | 'keyBits'> {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
      if ((details.modulusLength ?? 0) < MIN_RSA_BITS) {
        throw new BridgeError('IDENTITY_INVALID', `${file}: the RSA key has ${details.modulusLength} bits; Teleport issues ${MIN_RSA_BITS} or more, so this is not tbot output.`);
      }
      return { keyType: 'rsa', keyBits: details.modulusLength };
    case 'ec':
      if (details.namedCurve !== 'prime256v1') {
        throw new BridgeError('IDENTITY_INVALID', `${file}: the ECDSA key uses curve ${details.namedCurve}; Teleport issues P-256 keys.`);
      }
      return { keyType: 'ecdsa-p256', keyBits: 256 };
    case 'ed25519':
      return { keyType: 'ed25519', keyBits: 256 };
    default:
      throw new BridgeError('IDENTITY_INVALID', `${file}: unsupported private key type ${key.asymmetricKeyType}; expected RSA, ECDSA P-256 or Ed25519.`);
  }
}

/** Parses a private key PEM block (PKCS#1, PKCS#8 or SEC1) and checks it is a key type Teleport issues. */
export function parsePrivateKey(block: PemBlock, file: string): ParsedPrivateKey {
  if (!block.label.endsWith('PRIVATE KEY')) {
    throw new BridgeError('IDENTITY_INVALID', `${file}: expected a private key but found a ${block.label} block.`);
  }
  const der = pemBody(block, file);
  for (const type of encodingsFor(block.label)) {
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: der, format: 'der', type });
    } catch {
      continue; // try the next encoding
    }
    return { key, ...keyTypeOf(key, file) };
  }
  // Node's message is not included: it can quote parts of the input.
  throw new BridgeError('IDENTITY_INVALID', `${file}: the ${block.label} block is not a readable PKCS#8, PKCS#1 or SEC1 private key.`);
}
