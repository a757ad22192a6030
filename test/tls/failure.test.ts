import { classifyTlsFailure } from '../../src/tls/failure';

const failure = (code: string) => Object.assign(new Error(code), { code });

describe('classifyTlsFailure', () => {
  it('tells a refused expired client certificate from other refusals, through wrapping errors (undici puts the socket error in cause)', () => {
    expect(classifyTlsFailure(new Error('fetch failed', { cause: failure('ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED') }))).toBe('client-cert-expired');
    expect(classifyTlsFailure(failure('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'))).toBe('client-cert-rejected');
    expect(classifyTlsFailure(failure('ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE'))).toBe('client-cert-rejected');
  });

  it('separates an untrusted server from an unreachable one', () => {
    expect(classifyTlsFailure(failure('UNABLE_TO_VERIFY_LEAF_SIGNATURE'))).toBe('server-untrusted');
    expect(classifyTlsFailure(failure('ERR_TLS_CERT_ALTNAME_INVALID'))).toBe('server-untrusted');
    expect(classifyTlsFailure(failure('ECONNREFUSED'))).toBe('unreachable');
    expect(classifyTlsFailure(failure('ETIMEDOUT'))).toBe('timeout');
    expect(classifyTlsFailure(new Error('no code'))).toBe('other');
  });
});
