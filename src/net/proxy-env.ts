import { BlockList, isIP } from 'node:net';
import { BridgeError } from '../errors/catalogue';

/** Where a connection goes: the host as given (name or IP literal, IPv6 without brackets) and the port. */
export interface ProxyTarget {
  host: string;
  port: number;
}

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * What a connection is, which decides the variables that apply, as in tsh: a request to an `https://` URL (ping,
 * `--url https://…`) uses HTTPS_PROXY only and one to an `http://` URL HTTP_PROXY only (Go's
 * ProxyFromEnvironment); a raw dial to host:port (Auth Service, app traffic, the ALPN probe, the connection
 * upgrade) tries HTTPS_PROXY, then HTTP_PROXY (Teleport's GetProxyURL).
 */
export type ProxyUse = 'https' | 'http' | 'dial';

/** The proxy URL schemes tsh can dial through: CONNECT in clear or inside TLS to the proxy, or SOCKS5. */
const SCHEMES = ['http:', 'https:', 'socks5:'];
export const DEFAULT_PROXY_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443, 'socks5:': 1080 };

/** Go's getEnvAny: the upper-case name when it is non-empty, else the lower-case one. */
function envValue(env: Env, name: string): string | undefined {
  const value = env[name.toUpperCase()] || env[name.toLowerCase()];
  return value?.trim() || undefined;
}

/** Loopback is never proxied (Go's useProxy): the name `localhost` and loopback IP literals. */
export function isLoopback(host: string): boolean {
  const lower = host.toLowerCase();
  if (lower === 'localhost') return true;
  if (isIP(lower) === 4) return lower.startsWith('127.');
  if (isIP(lower) === 6) {
    const list = new BlockList();
    list.addAddress('::1', 'ipv6');
    list.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');
    return list.check(lower, 'ipv6');
  }
  return false;
}

/** Go's net.SplitHostPort for a NO_PROXY entry: undefined when it has no port (`host`, a bare IPv6). */
function splitHostPort(entry: string): { host: string; port: string } | undefined {
  const bracketed = /^\[([^\]]*)\]:(\d*)$/.exec(entry);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2]! };
  const colon = entry.lastIndexOf(':');
  if (colon < 0 || entry.indexOf(':') !== colon) return undefined;
  return { host: entry.slice(0, colon), port: entry.slice(colon + 1) };
}

function addressMatches(rule: string, host: string): boolean {
  const family = isIP(host);
  const [address, bits] = rule.split('/') as [string, string | undefined];
  if (!family || isIP(address) !== family) return false;
  const type = family === 6 ? 'ipv6' : 'ipv4';
  const list = new BlockList();
  if (bits === undefined) list.addAddress(address, type);
  else if (Number(bits) <= (family === 6 ? 128 : 32)) list.addSubnet(address, Number(bits), type);
  else return false;
  return list.check(host, type);
}

/**
 * NO_PROXY as Go's httpproxy reads it (tsh's reading): entries split on commas only, trimmed, case-insensitive;
 * `*` alone disables the proxy; a CIDR block matches IP literals inside it, any port; an IP (`[v6]:port` or
 * `v4:port` for a port) matches that literal; a name matches itself and its subdomains, `.name` and `*.name` only
 * subdomains; a `:port` must equal the target's port.
 */
export function noProxyMatches(noProxy: string | undefined, target: ProxyTarget): boolean {
  if (!noProxy) return false;
  const host = target.host.toLowerCase().replace(/^\[|\]$/g, '');
  const port = String(target.port);
  for (const raw of noProxy.split(',')) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    if (/^[0-9a-f:.]+\/\d{1,3}$/.test(entry) && isIP(entry.split('/')[0]!)) {
      if (addressMatches(entry, host)) return true;
      continue;
    }
    const split = splitHostPort(entry);
    if (split && !split.host) continue; // no host part: a malformed entry
    const ruleHost = split?.host ?? entry;
    const rulePort = split?.port ?? '';
    if (rulePort && rulePort !== port) continue;
    if (isIP(ruleHost)) {
      if (addressMatches(ruleHost, host)) return true;
      continue;
    }
    const suffix = ruleHost.startsWith('*.') ? ruleHost.slice(1) : ruleHost.startsWith('.') ? ruleHost : `.${ruleHost}`;
    const matchesItself = !ruleHost.startsWith('.') && !ruleHost.startsWith('*.');
    if (host.endsWith(suffix) || (matchesItself && host === ruleHost)) return true;
  }
  return false;
}

/**
 * The proxy for a connection to `target`, read from the environment at every dial (as Go reads it per request);
 * undefined: connect directly. Upper-case names win when non-empty; loopback and NO_PROXY hosts go direct.
 */
export function proxyFor(target: ProxyTarget, options: { use: ProxyUse; env?: Env }): URL | undefined {
  const env = options.env ?? process.env;
  if (isLoopback(target.host)) return undefined;
  const names = options.use === 'https' ? ['https_proxy'] : options.use === 'http' ? ['http_proxy'] : ['https_proxy', 'http_proxy'];
  const configured = names.map((name) => envValue(env, name)).find((value) => value !== undefined);
  if (!configured) return undefined;
  if (noProxyMatches(envValue(env, 'no_proxy'), target)) return undefined;
  return parseProxyUrl(configured);
}

/** `http://`, `https://` or `socks5://`, with optional `user:password@`; a bare `host:port` means http:// (as Go reads it). */
export function parseProxyUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    throw new BridgeError('CONFIG_INVALID', 'HTTPS_PROXY/HTTP_PROXY is not a URL: set it to http://host:port, https://host:port or socks5://host:port.');
  }
  if (!SCHEMES.includes(url.protocol) || !url.hostname) {
    throw new BridgeError('CONFIG_INVALID', `HTTPS_PROXY/HTTP_PROXY uses ${url.protocol}//, which tsh and mcp-bridge cannot dial through: use http://, https:// or socks5://.`);
  }
  return url;
}
