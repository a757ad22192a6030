import { BlockList, isIP } from 'node:net';
import { BridgeError } from '../errors/catalogue';

/** Where a connection goes: the host as given (name or IP literal, IPv6 without brackets) and the port. */
export interface ProxyTarget {
  host: string;
  port: number;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Upper case wins, like tsh (Go's httpproxy reads HTTPS_PROXY before https_proxy). */
function envValue(env: Env, name: string): string | undefined {
  const value = env[name.toUpperCase()] ?? env[name.toLowerCase()];
  return value?.trim() || undefined;
}

/** Loopback is never proxied: a corporate proxy cannot reach this machine's 127.0.0.1 anyway. */
export function isLoopback(host: string): boolean {
  const lower = host.toLowerCase().replace(/\.$/, '');
  if (lower === 'localhost' || lower.endsWith('.localhost')) return true;
  if (isIP(lower) === 4) return lower.startsWith('127.');
  return lower === '::1' || lower === '0:0:0:0:0:0:0:1';
}

/** An IP or CIDR rule against an IP literal; families must agree (no v4-in-v6 mapping). */
function ipMatches(rule: string, host: string): boolean {
  const family = isIP(host);
  const [address, bits] = rule.split('/') as [string, string | undefined];
  if (!family || isIP(address) !== family) return false;
  const type = family === 6 ? 'ipv6' : 'ipv4';
  const list = new BlockList();
  if (bits === undefined) {
    list.addAddress(address, type);
  } else {
    const prefix = Number(bits);
    if (!/^\d+$/.test(bits) || prefix > (family === 6 ? 128 : 32)) return false;
    list.addSubnet(address, prefix, type);
  }
  return list.check(host, type);
}

/** Splits `host:port`, `[v6]:port`, `v6`, `host` into host and optional port. */
function splitRule(rule: string): { host: string; port?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rule);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] ? Number(bracketed[2]) : undefined };
  if (isIP(rule.split('/')[0] ?? '') === 6) return { host: rule };
  const colon = rule.lastIndexOf(':');
  if (colon > 0 && /^\d+$/.test(rule.slice(colon + 1))) return { host: rule.slice(0, colon), port: Number(rule.slice(colon + 1)) };
  return { host: rule };
}

/**
 * NO_PROXY, as curl and Go read it: `*` disables the proxy; `example.com` matches itself and its subdomains,
 * `.example.com` (or `*.example.com`) only subdomains; IPs and CIDR blocks match IP literals only (no DNS lookup);
 * a `:port` suffix must match the target's port too.
 */
export function noProxyMatches(noProxy: string | undefined, target: ProxyTarget): boolean {
  if (!noProxy) return false;
  const host = target.host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    const rule = splitRule(entry);
    if (rule.port !== undefined && rule.port !== target.port) continue;
    const ruleHost = rule.host.replace(/\.$/, '');
    if (isIP(ruleHost.split('/')[0] ?? '')) {
      if (ipMatches(ruleHost, host)) return true;
      continue;
    }
    if (isIP(host)) continue; // a name rule never matches an IP literal
    if (ruleHost.startsWith('*.') || ruleHost.startsWith('.')) {
      if (host.endsWith(ruleHost.slice(ruleHost.indexOf('.')))) return true;
    } else if (host === ruleHost || host.endsWith(`.${ruleHost}`)) {
      return true;
    }
  }
  return false;
}

/**
 * The HTTP proxy for a connection to `target`, read from the environment at every dial (like Go's
 * http.ProxyFromEnvironment per request). TLS targets use HTTPS_PROXY, then HTTP_PROXY; plain HTTP targets
 * HTTP_PROXY only. Undefined: connect directly.
 */
export function proxyFor(target: ProxyTarget, options: { tls: boolean; env?: Env } = { tls: true }): URL | undefined {
  const env = options.env ?? process.env;
  if (isLoopback(target.host)) return undefined;
  const configured = (options.tls ? envValue(env, 'https_proxy') : undefined) ?? envValue(env, 'http_proxy');
  if (!configured) return undefined;
  if (noProxyMatches(envValue(env, 'no_proxy'), target)) return undefined;
  return parseProxyUrl(configured);
}

/** `http://[user:pass@]host[:port]`; a bare `host:port` means http:// (as curl and Go accept). */
export function parseProxyUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    throw new BridgeError('CONFIG_INVALID', 'HTTPS_PROXY/HTTP_PROXY is not a URL: set it to http://host:port.');
  }
  if (url.protocol !== 'http:' || !url.hostname) {
    throw new BridgeError('CONFIG_INVALID', `HTTPS_PROXY/HTTP_PROXY uses ${url.protocol}//, which mcp-bridge does not support: use an http://host:port proxy (the tunnel inside is TLS).`);
  }
  return url;
}
