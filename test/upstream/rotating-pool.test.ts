import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCA, generateKeyPair, issueServerCert, privateKeyPem, type CertificateAuthority } from '../../fixtures/pki';
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
});
