import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { createCA, generateKeyPair, issueIdentityCert, issueServerCert, privateKeyPem, type CertificateAuthority } from '../../fixtures/pki';
import { RotatingPool } from '../../src/upstream/rotating-pool';

// RotatingPool loads undici's Pool, connector and request() by file path instead of undici's index (start-up time):
// these tests prove those parts work together over real TLS, and that rotation keeps serving.
describe('RotatingPool built from undici parts', () => {
  let ca: CertificateAuthority;
  let server: Server;
  let origin: string;

  beforeAll(async () => {
    ca = await createCA({ clusterName: 'pool.test', kind: 'public', algorithm: 'p256' });
    const key = await generateKeyPair('p256');
    const cert = await issueServerCert(ca, { publicKey: key, commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], notAfter: new Date(Date.now() + 3_600_000) });
    server = createServer({ cert: cert.pem, key: privateKeyPem(key) }, (req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.end(`${req.method} ${req.url}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('answers request() through the verified TLS connector, before and after a rotation', async () => {
    const pool = new RotatingPool(origin, { ca: [ca.cert.pem], rejectUnauthorized: true });
    try {
      const first = await pool.dispatcher().request({ method: 'GET', path: '/before' });
      expect(first.statusCode).toBe(200);
      expect(await first.body.text()).toBe('GET /before');
      pool.rotate({ ca: [ca.cert.pem], rejectUnauthorized: true });
      const second = await pool.dispatcher().request({ method: 'POST', path: '/after', body: 'x' });
      expect(await second.body.text()).toBe('POST /after');
    } finally {
      await pool.close();
    }
  });

  it('refuses a server whose CA is not trusted (the lazily built secure context still verifies)', async () => {
    const pool = new RotatingPool(origin, { rejectUnauthorized: true });
    try {
      await expect(pool.dispatcher().request({ method: 'GET', path: '/' })).rejects.toMatchObject({ code: expect.stringMatching(/CERT|SELF_SIGNED|UNABLE/) });
    } finally {
      await pool.close();
    }
  });

  it('lets a response stream in flight finish on the old connection when credentials rotate (closing it would cancel a 2026-07-28 call)', async () => {
    const userCA = await createCA({ clusterName: 'pool.test', kind: 'user', algorithm: 'p256' });
    const generation = async (username: string) => {
      const key = await generateKeyPair('p256');
      const cert = await issueIdentityCert(userCA, { publicKey: key, identity: { username, roles: ['r'] }, notAfter: new Date(Date.now() + 3_600_000) });
      return { cert: cert.pem, key: privateKeyPem(key), ca: [ca.cert.pem], rejectUnauthorized: true };
    };
    let finishStream!: () => void;
    const streaming = createServer({ ...(await serverTls()), ca: userCA.cert.pem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      const who = (req.socket as TLSSocket).getPeerCertificate().subject.CN;
      if (req.url !== '/stream') return void res.end(who);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${who} 1\n\n`);
      finishStream = () => res.end(`data: ${who} 2\n\n`);
    });
    await new Promise<void>((resolve) => streaming.listen(0, '127.0.0.1', resolve));
    const pool = new RotatingPool(`https://127.0.0.1:${(streaming.address() as AddressInfo).port}`, await generation('first'));
    try {
      const stream = await pool.dispatcher().request({ method: 'POST', path: '/stream', body: '{}' });
      const chunks: string[] = [];
      let firstChunk!: () => void;
      const started = new Promise<void>((resolve) => (firstChunk = resolve));
      const read = (async () => {
        for await (const chunk of stream.body) {
          chunks.push(chunk.toString());
          firstChunk();
        }
      })();
      await started;
      pool.rotate(await generation('second'));
      const after = await pool.dispatcher().request({ method: 'GET', path: '/who' });
      expect(await after.body.text()).toBe('second');
      finishStream();
      await read; // ends normally: an aborted stream would reject here
      expect(chunks.join('')).toBe('data: first 1\n\ndata: first 2\n\n');
    } finally {
      await pool.close();
      streaming.closeAllConnections();
      await new Promise<void>((resolve) => streaming.close(() => resolve()));
    }
  });

  /** This suite's server certificate and key, for a second server. */
  async function serverTls(): Promise<{ cert: string; key: string }> {
    const key = await generateKeyPair('p256');
    const cert = await issueServerCert(ca, { publicKey: key, commonName: 'localhost', ipAddresses: ['127.0.0.1'], notAfter: new Date(Date.now() + 3_600_000) });
    return { cert: cert.pem, key: privateKeyPem(key) };
  }
});
