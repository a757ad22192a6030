import { readFileSync } from 'node:fs';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';

let extraRoots: string | undefined;

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
/** A PEM block's base64 body without its armour and whitespace: equal for equal certificates. */
const bodyOf = (pem: string) => pem.replace(/-----(BEGIN|END) [A-Z0-9 ]+-----/g, '').replace(/\s+/g, '');

/**
 * The blocks of a PEM bundle that Node's bundled roots do not already hold (anything but a plain CERTIFICATE block is
 * kept as it is). A context's private copy of the root store has the bundled roots, so adding them again only parses
 * them again: ~17 ms per context for a system bundle, which is what NODE_EXTRA_CA_CERTS often names. Under
 * --use-openssl-ca that copy holds OpenSSL's store instead, so nothing is left out.
 */
export function beyondBundledRoots(bundle: string): string {
  const nodeOptions = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  const bundled = nodeOptions.includes('--use-openssl-ca') ? new Set<string>() : new Set(rootCertificates.map(bodyOf));
  return [...bundle.matchAll(PEM_BLOCK)]
    .filter(([block, kind]) => kind !== 'CERTIFICATE' || !bundled.has(bodyOf(block)))
    .map(([block]) => block)
    .join('\n');
}

/**
 * NODE_EXTRA_CA_CERTS, read once. Node adds it to its default root store but not to the private copy a context
 * takes when CAs are added to it (Node 20), so a context that trusts `--ca` on top of the system roots adds it
 * again (what the copy lacks of it): what the user trusts for every Node program stays trusted here. Unreadable:
 * Node warned at start-up.
 */
function extraRootCerts(): string {
  if (extraRoots === undefined) {
    const file = process.env.NODE_EXTRA_CA_CERTS;
    try {
      extraRoots = file ? beyondBundledRoots(readFileSync(file, 'utf8')) : '';
    } catch {
      extraRoots = '';
    }
  }
  return extraRoots;
}

/**
 * A secure context holding a client certificate and key (when given) and this trust, for many connections: without
 * `ca`, Node's default (the system roots and NODE_EXTRA_CA_CERTS); with `ca`, those plus `ca` (Node's `ca` option
 * would replace them); with `replaceRoots`, only `ca` (e.g. a Host CA). Extra CAs are added to a copy of Node's
 * shared root store instead of re-parsing every system root from PEM, which costs ~20 ms and ~1 MB per context.
 */
export function secureContextFor(options: { cert?: string; key?: string; ca?: readonly string[]; replaceRoots?: boolean }): SecureContext {
  const { cert, key, ca, replaceRoots = false } = options;
  if (replaceRoots) return createSecureContext({ cert, key, ca: [...(ca ?? [])] });
  const context = createSecureContext({ cert, key });
  if (!ca?.length) return context;
  // `context.context` is Node's native SecureContext; addCACert appends (every certificate of a PEM bundle) to a
  // private copy of the root store.
  const native = context.context as { addCACert(pem: string): void };
  const extra = extraRootCerts();
  for (const pem of extra ? [...ca, extra] : ca) native.addCACert(pem);
  return context;
}
