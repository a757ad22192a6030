import { isIP } from 'node:net';
import { BridgeError } from '../errors/catalogue';

/** The Teleport Proxy's web address as given by --proxy. */
export interface ProxyAddress {
  host: string;
  port: number;
  /** TLS SNI: the host name, or undefined for an IP literal (SNI must not carry IPs, RFC 6066). */
  servername: string | undefined;
  /** host:port with IPv6 in brackets, for URLs, logs and error details. */
  hostPort: string;
}

const DEFAULT_WEB_PORT = 443;

/** Parses `host`, `host:port`, `[v6]:port` or an https:// URL (as users paste it from the browser). */
export function parseProxyAddress(input: string): ProxyAddress {
  const trimmed = input.trim();
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`);
  } catch {
    throw new BridgeError('CONFIG_INVALID', `--proxy "${input}" is not a host[:port] address.`);
  }
  if (url.protocol !== 'https:' || !url.hostname) {
    throw new BridgeError('CONFIG_INVALID', `--proxy "${input}" must be the Teleport web address, host[:port] (HTTPS).`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port ? Number(url.port) : DEFAULT_WEB_PORT;
  const hostPort = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
  return { host, port, servername: isIP(host) ? undefined : host, hostPort };
}
