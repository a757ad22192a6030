import type { SecureContext } from 'node:tls';
import { secureContextFor } from './trust';

/** What a dial presents and trusts; the same fields as `secureContextFor`. */
export interface ContextMaterial {
  cert?: string;
  key?: string;
  ca?: readonly string[];
  replaceRoots?: boolean;
}

/** Distinct combinations a process dials with: web trust, Auth Service, app traffic, across a few generations. */
const CACHE_SIZE = 8;
const contexts = new Map<string, SecureContext>();

/**
 * One secure context per (certificate, key, CAs), shared by every dial with the same material: ping, the ALPN
 * probe, the connection upgrade and Auth Service re-dials would otherwise each re-parse the ~140 system root PEMs
 * (~20 ms of CPU apiece, on the cold path). Keys stay in this process's memory, as they already are in the contexts.
 */
export function cachedSecureContext(material: ContextMaterial): SecureContext {
  const key = JSON.stringify([material.cert ?? '', material.key ?? '', material.ca ?? [], material.replaceRoots === true]);
  let context = contexts.get(key);
  if (context) {
    contexts.delete(key); // re-inserted below: the Map's order is then least recently used first
  } else {
    context = secureContextFor(material);
    if (contexts.size >= CACHE_SIZE) contexts.delete(contexts.keys().next().value as string);
  }
  contexts.set(key, context);
  return context;
}
