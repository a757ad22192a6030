/** The variable tsh reads to force or skip the ALPN connection upgrade (api/client/alpn_conn_upgrade.go). */
const CONN_UPGRADE_ENV = 'TELEPORT_TLS_ROUTING_CONN_UPGRADE';

/** Teleport's utils.ParseBool words, compared case-insensitively (Go's `t`/`f` are not among them). */
function parseBool(value: string): boolean | undefined {
  const word = value.toLowerCase();
  if (['yes', 'yeah', 'y', 'true', '1', 'on'].includes(word)) return true;
  if (['no', 'nope', 'n', 'false', '0', 'off'].includes(word)) return false;
  return undefined;
}

/**
 * The upgrade decision for `hostPort` as tsh reads the variable; undefined only when it is empty or unset (then the
 * proxy is probed). Any other value is final, with tsh's quirks kept on purpose so both tools agree on one setting:
 * tokens are split on `,` or `;` and not trimmed; a bare boolean token sets the default for every address (the last
 * one wins, even beside `host:port=bool` tokens); the first token containing `<hostPort>=` anywhere decides for that
 * address (a substring match: `a.example.com:443=…` also names `example.com:443`), an unparsable value after it
 * meaning false; an address no token names takes the default, which is false.
 */
export function connUpgradeOverride(hostPort: string, value: string | undefined = process.env[CONN_UPGRADE_ENV]): boolean | undefined {
  if (!value) return undefined;
  let forAll = false;
  for (const token of value.split(/[,;]/).filter(Boolean)) {
    if (token.includes('=')) {
      const at = token.indexOf(`${hostPort}=`);
      if (at >= 0) return parseBool(token.slice(at + hostPort.length + 1)) ?? false;
      continue;
    }
    forAll = parseBool(token) ?? forAll;
  }
  return forAll;
}
