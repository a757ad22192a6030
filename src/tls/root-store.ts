import { createSecureContext, rootCertificates } from 'node:tls';

/**
 * Node parses its ~140 built-in root certificates into OpenSSL objects the first time a context needs them, once per
 * process (~20 ms of CPU). A process that will verify a server against them can have that happen on the next turn of
 * the event loop, while its start-up waits for file reads, instead of inside its first handshake: the same work,
 * overlapped with I/O.
 */
export function warmUpRootStore(): void {
  setImmediate(() => {
    try {
      (createSecureContext().context as { addCACert(pem: string): void }).addCACert(rootCertificates[0]!);
    } catch {
      // only an optimisation
    }
  });
}
