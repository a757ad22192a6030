import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContext } from 'node:tls';

let extraRoots: string | undefined;

/**
 * NODE_EXTRA_CA_CERTS, read once. Node adds it to its default root store but not to the private copy a context
 * takes when CAs are added to it (Node 20), so a context that trusts `--ca` on top of the system roots adds it
 * again: what the user trusts for every Node program stays trusted here. Unreadable: Node warned at start-up.
 */
function extraRootCerts(): string {
  if (extraRoots === undefined) {
    const file = process.env.NODE_EXTRA_CA_CERTS;
    try {
      extraRoots = file ? readFileSync(file, 'utf8') : '';
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
