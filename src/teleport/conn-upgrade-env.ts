/** The variable tsh reads to force or skip the ALPN connection upgrade (lib/client/alpn_conn_upgrade.go). */
export const CONN_UPGRADE_ENV = 'TELEPORT_TLS_ROUTING_CONN_UPGRADE';

function parseBool(value: string): boolean | undefined {
  // Go's strconv.ParseBool spellings.
  if (/^(1|t|true)$/i.test(value)) return true;
  if (/^(0|f|false)$/i.test(value)) return false;
  return undefined;
}

/**
 * The override for `hostPort`: `true`/`false` applies to every proxy; otherwise `host:port=bool` entries separated
 * by `,` or `;` apply to the proxy they name. Undefined: no override, probe the proxy.
 */
export function connUpgradeOverride(hostPort: string, value: string | undefined = process.env[CONN_UPGRADE_ENV]): boolean | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  const global = parseBool(trimmed);
  if (global !== undefined) return global;
  for (const entry of trimmed.split(/[,;]/)) {
    const eq = entry.lastIndexOf('=');
    if (eq < 0) continue;
    if (entry.slice(0, eq).trim().toLowerCase() === hostPort.toLowerCase()) return parseBool(entry.slice(eq + 1).trim());
  }
  return undefined;
}
