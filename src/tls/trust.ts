import { rootCertificates } from 'node:tls';

/**
 * The `ca` option for a TLS connection: undefined keeps Node's default (the system roots); extra CAs are added to
 * the system roots, because Node's `ca` replaces them; `replaceRoots` trusts only the given CAs (e.g. a Host CA).
 */
export function trustedCAs(ca: readonly string[] | undefined, replaceRoots = false): string[] | undefined {
  if (!ca?.length) return replaceRoots ? [] : undefined;
  return replaceRoots ? [...ca] : [...rootCertificates, ...ca];
}
