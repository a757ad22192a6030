import { isLoopback, noProxyMatches, parseProxyUrl, proxyFor } from '../../src/net/proxy-env';

/** The environment rules as tsh reads them (Go's httpproxy.FromEnvironment and Teleport's GetProxyURL). */

const at = (host: string, port = 443) => ({ host, port });

describe('NO_PROXY rules', () => {
  test('* disables the proxy for every host', () => {
    expect(noProxyMatches('*', at('teleport.example.com'))).toBe(true);
    expect(noProxyMatches(' * ', at('10.1.2.3'))).toBe(true);
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
    expect(noProxyMatches('2001:db8::1', at('2001:db8::1'))).toBe(true);
    expect(noProxyMatches('[2001:db8::1]:443', at('2001:db8::1', 443))).toBe(true);
    expect(noProxyMatches('10.0.0.0/8', at('ten.example.com'))).toBe(false);
  });

  test('a :port suffix must match the port too; CIDR blocks match any port', () => {
    expect(noProxyMatches('example.com:443', at('teleport.example.com', 443))).toBe(true);
    expect(noProxyMatches('example.com:443', at('teleport.example.com', 3080))).toBe(false);
    expect(noProxyMatches('192.0.2.7:3080', at('192.0.2.7', 443))).toBe(false);
    expect(noProxyMatches('192.0.2.0/24', at('192.0.2.7', 3080))).toBe(true);
  });

  test('entries are split on commas only, trimmed and compared case-insensitively', () => {
    expect(noProxyMatches('other.org, Example.COM', at('TELEPORT.example.com'))).toBe(true);
    // a space does not separate entries: "other.org example.com" is one (unmatched) name, as in Go
    expect(noProxyMatches('other.org example.com', at('teleport.example.com'))).toBe(false);
    expect(noProxyMatches('other.org;example.com', at('teleport.example.com'))).toBe(false);
  });
});

describe('which proxy a connection uses', () => {
  test('a raw dial to host:port tries HTTPS_PROXY, then HTTP_PROXY (Teleport GetProxyURL)', () => {
    expect(proxyFor(at('teleport.example.com'), { use: 'dial', env: { HTTPS_PROXY: 'http://s:1', HTTP_PROXY: 'http://p:1' } })?.host).toBe('s:1');
    expect(proxyFor(at('teleport.example.com'), { use: 'dial', env: { HTTP_PROXY: 'http://p:1' } })?.host).toBe('p:1');
  });

  test('an https:// request (ping) uses HTTPS_PROXY alone, never HTTP_PROXY', () => {
    expect(proxyFor(at('teleport.example.com'), { use: 'https', env: { HTTP_PROXY: 'http://p:1' } })).toBeUndefined();
    expect(proxyFor(at('teleport.example.com'), { use: 'https', env: { https_proxy: 'http://s:1', HTTP_PROXY: 'http://p:1' } })?.host).toBe('s:1');
  });

  test('an http:// request uses HTTP_PROXY alone', () => {
    expect(proxyFor(at('mcp.example.com', 80), { use: 'http', env: { HTTPS_PROXY: 'http://p:1' } })).toBeUndefined();
    expect(proxyFor(at('mcp.example.com', 80), { use: 'http', env: { HTTP_PROXY: 'http://p:1' } })?.host).toBe('p:1');
  });

  test('the upper-case name wins only when it is non-empty', () => {
    const target = at('teleport.example.com');
    expect(proxyFor(target, { use: 'https', env: { HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:1' } })?.host).toBe('upper:1');
    expect(proxyFor(target, { use: 'https', env: { HTTPS_PROXY: '', https_proxy: 'http://lower:1' } })?.host).toBe('lower:1');
    expect(proxyFor(target, { use: 'https', env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: '', no_proxy: 'example.com' } })).toBeUndefined();
    expect(proxyFor(target, { use: 'https', env: { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'other.org', no_proxy: 'example.com' } })?.host).toBe('p:1');
  });

  test('loopback (localhost and loopback IPs) is never proxied; NO_PROXY exempts its hosts', () => {
    const env = { HTTPS_PROXY: 'http://p:3128', NO_PROXY: 'internal.corp' };
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST']) {
      expect(isLoopback(host)).toBe(true);
      expect(proxyFor(at(host), { use: 'dial', env })).toBeUndefined();
    }
    expect(isLoopback('app.localhost')).toBe(false); // Go proxies it: only the name localhost is exempt
    expect(proxyFor(at('teleport.internal.corp'), { use: 'dial', env })).toBeUndefined();
    expect(proxyFor(at('teleport.example.com'), { use: 'dial', env })?.hostname).toBe('p');
  });
});

describe('proxy URLs', () => {
  test('http://, https:// and socks5:// with or without credentials; a bare host:port means http://', () => {
    expect(parseProxyUrl('corp-proxy:3128').href).toBe('http://corp-proxy:3128/');
    expect(parseProxyUrl('https://corp-proxy:3129').protocol).toBe('https:');
    const socks = parseProxyUrl('socks5://alice:s%3Acret@10.0.0.9:1080');
    expect([socks.protocol, socks.hostname, socks.port, socks.username]).toEqual(['socks5:', '10.0.0.9', '1080', 'alice']);
  });

  test('other schemes are refused with a tagged error naming the supported ones', () => {
    expect(() => parseProxyUrl('socks4://p:1080')).toThrow(/CONFIG_INVALID.*socks4:.*socks5:\/\//);
    expect(() => parseProxyUrl('ftp://p:21')).toThrow(/CONFIG_INVALID/);
  });
});
