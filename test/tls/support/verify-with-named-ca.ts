/**
 * One TLS handshake in a process of its own, so the test chooses its environment (NODE_EXTRA_CA_CERTS is read at
 * start-up): `verify-with-named-ca.ts PORT NAMED_CA_FILE`, trusting the system roots plus that CA as `--ca` does.
 * Prints "verified" or the error's code.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { secureContextFor } from '../../../src/tls/trust';

const [port, caFile] = process.argv.slice(2);
const socket = connect({ host: '127.0.0.1', port: Number(port), servername: 'localhost', secureContext: secureContextFor({ ca: [readFileSync(caFile!, 'utf8')] }) });
socket.once('secureConnect', () => {
  process.stdout.write('verified');
  socket.destroy();
});
socket.once('error', (err: NodeJS.ErrnoException) => process.stdout.write(String(err.code)));
