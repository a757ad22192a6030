import { isLoopback, noProxyMatches, parseProxyUrl, proxyFor } from '../../src/net/proxy-env';

const at = (host: string, port = 443) => ({ host, port });

describe('NO_PROXY rules', () => {
  test('* disables the proxy for every host', () => {
    expect(noProxyMatches('*', at('teleport.example.com'))).toBe(true);
  });

  test('example.com matches itself and its subdomains, not look-alikes', () => {
    expect(noProxyMatches('example.com', at('example.com'))).toBe(true);
    expect(noProxyMatches('example.com', at('teleport.example.com'))).toBe(true);
    expect(noProxyMatches('example.com', at('badexample.com'))).toBe(false);
  });

  test('.example.com and *.example.com match subdomains only', () => {
    expect(noProxyMatches('.example.com', at('example.com'))).toBe(false);
    expect(noProxyMatches('.example.com', at('a.b.example.com'))).toBe(true);
    expect(noProxyMatches('*.example.com', at('example.com'))).toBe(false);
    expect(noProxyMatches('*.example.com', at('a.example.com'))).toBe(true);
  });

  test('IPs and CIDR blocks match IP literals only, never names', () => {
    expect(noProxyMatches('10.0.0.0/8', at('10.1.2.3'))).toBe(true);
    expect(noProxyMatches('10.0.0.0/8', at('11.1.2.3'))).toBe(false);
    expect(noProxyMatches('192.0.2.7', at('192.0.2.7'))).toBe(true);
    expect(noProxyMatches('192.0.2.7', at('192.0.2.8'))).toBe(false);
    expect(noProxyMatches('2001:db8::/32', at('2001:db8::1'))).toBe(true);
    expect(noProxyMatches('[2001:db8::1]:443', at('2001:db8::1', 443))).toBe(true);
    expect(noProxyMatches('10.0.0.0/8', at('ten.example.com'))).toBe(false);
  });

  test('a :port suffix must match the port too', () => {
    expect(noProxyMatches('example.com:443', at('teleport.example.com', 443))).toBe(true);
    expect(noProxyMatches('example.com:443', at('teleport.example.com', 3080))).toBe(false);
  });

  test('entries are separated by commas or spaces and compared case-insensitively', () => {
    expect(noProxyMatches('other.org, Example.COM', at('TELEPORT.example.com'))).toBe(true);
    expect(noProxyMatches('other.org corp.net', at('teleport.example.com'))).toBe(false);
  });
});

describe('which proxy a dial uses', () => {
  test('HTTPS_PROXY is used for TLS targets, before HTTP_PROXY; upper case wins over lower case', () => {
    const env = { HTTPS_PROXY: 'http://upper:3128', https_proxy: 'http://lower:3128', HTTP_PROXY: 'http://plain:3128' };
    expect(proxyFor(at('teleport.example.com'), { tls: true, env })?.host).toBe('upper:3128');
    expect(proxyFor(at('teleport.example.com'), { tls: true, env: { https_proxy: 'http://lower:3128', HTTP_PROXY: 'http://plain:3128' } })?.host).toBe('lower:3128');
    expect(proxyFor(at('teleport.example.com'), { tls: true, env: { HTTP_PROXY: 'http://plain:3128' } })?.host).toBe('plain:3128');
  });

  test('plain HTTP targets use HTTP_PROXY only', () => {
    expect(proxyFor(at('mcp.example.com', 80), { tls: false, env: { HTTPS_PROXY: 'http://p:1' } })).toBeUndefined();
    expect(proxyFor(at('mcp.example.com', 80), { tls: false, env: { HTTP_PROXY: 'http://p:1' } })?.host).toBe('p:1');
  });

  test('loopback is never proxied and NO_PROXY exempts its hosts', () => {
    const env = { HTTPS_PROXY: 'http://p:3128', NO_PROXY: 'internal.corp' };
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', 'app.localhost']) {
      expect(isLoopback(host)).toBe(true);
      expect(proxyFor(at(host), { tls: true, env })).toBeUndefined();
    }
    expect(proxyFor(at('teleport.internal.corp'), { tls: true, env })).toBeUndefined();
    expect(proxyFor(at('teleport.example.com'), { tls: true, env })?.hostname).toBe('p');
  });

  test('a bare host:port means http://, and an https:// proxy is refused with a tagged error', () => {
    expect(parseProxyUrl('corp-proxy:3128').href).toBe('http://corp-proxy:3128/');
    expect(() => parseProxyUrl('https://corp-proxy:3128')).toThrow(/CONFIG_INVALID.*https:/);
  });
});
