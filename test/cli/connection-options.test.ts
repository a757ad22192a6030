import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yargs from 'yargs';
import { BridgeError } from '../../src/errors/catalogue';
import { connectionFromArgs, parseHeaders, readCaFiles, warnIfInsecure, withConnectionOptions } from '../../src/cli/connection-options';
import { createLogger } from '../../src/log/logger';

const ENV_NAMES = ['MCP_BRIDGE_PROXY', 'TELEPORT_PROXY', 'MCP_BRIDGE_URL', 'MCP_BRIDGE_HEADERS', 'MCP_BRIDGE_INSECURE'];
const SECRET = 'Bearer s3cr3t-t0ken';

/** Parses argv with the options' defaults taken from `env` (they are read when the options are built). */
function settings(argv: string[], env: Record<string, string> = {}, url = true) {
  const saved = Object.fromEntries(ENV_NAMES.map((name) => [name, process.env[name]]));
  try {
    for (const name of ENV_NAMES) delete process.env[name];
    Object.assign(process.env, env);
    return connectionFromArgs(withConnectionOptions(yargs(argv), { url }).parseSync());
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

function failure(run: () => unknown): BridgeError {
  try {
    run();
  } catch (err) {
    if (err instanceof BridgeError) return err;
    throw err;
  }
  throw new Error('expected a BridgeError');
}

describe('environment equivalents', () => {
  test('MCP_BRIDGE_PROXY wins over TELEPORT_PROXY, and --proxy over both', () => {
    expect(settings([], { TELEPORT_PROXY: 'tp.example:443' }).proxy).toBe('tp.example:443');
    expect(settings([], { TELEPORT_PROXY: 'tp.example:443', MCP_BRIDGE_PROXY: 'mb.example:443' }).proxy).toBe('mb.example:443');
    expect(settings(['--proxy', 'flag.example:443'], { MCP_BRIDGE_PROXY: 'mb.example:443' }).proxy).toBe('flag.example:443');
  });

  test('MCP_BRIDGE_URL and MCP_BRIDGE_INSECURE set --url and --insecure; flags override them', () => {
    const fromEnv = settings([], { MCP_BRIDGE_URL: 'https://mcp.internal/mcp', MCP_BRIDGE_INSECURE: 'true' });
    expect(fromEnv.url?.href).toBe('https://mcp.internal/mcp');
    expect(fromEnv.insecure).toBe(true);
    expect(settings(['--no-insecure'], { MCP_BRIDGE_INSECURE: '1' }).insecure).toBe(false);
    expect(settings([], { MCP_BRIDGE_INSECURE: 'no' }).insecure).toBe(false);
    expect(settings(['--url', 'http://127.0.0.1:9/mcp'], { MCP_BRIDGE_URL: 'https://mcp.internal/mcp' }).url?.href).toBe('http://127.0.0.1:9/mcp');
  });

  test('commands without --url (ls, doctor) ignore MCP_BRIDGE_URL', () => {
    expect(settings([], { MCP_BRIDGE_URL: 'https://mcp.internal/mcp' }, false).url).toBeUndefined();
  });

  test('MCP_BRIDGE_HEADERS holds one header per line, and -H headers come after (later wins)', () => {
    const { headers } = settings(['-H', 'X-Team: flag', '-H', 'X-Extra: 2'], { MCP_BRIDGE_HEADERS: 'Authorization: Bearer abc\r\nX-Team: env\n\n' });
    expect(headers).toEqual({ authorization: 'Bearer abc', 'x-team': 'flag', 'x-extra': '2' });
  });
});

describe('header parsing', () => {
  test('names are case-insensitive and values keep inner colons and spaces', () => {
    expect(parseHeaders(['X-Trace:  a:b c ', 'x-trace: second'])).toEqual({ 'x-trace': 'second' });
    expect(parseHeaders(['X-Url: https://a.example:8443/x'])).toEqual({ 'x-url': 'https://a.example:8443/x' });
  });

  test.each([
    ['no colon', `Authorization ${SECRET}`],
    ['no name', `: ${SECRET}`],
    ['a name with spaces', `Auth orization: ${SECRET}`],
    ['a reserved header', `Mcp-Session-Id: ${SECRET}`],
    ['a value with a line break', `Authorization: ${SECRET}\r\nX-Injected: 1`],
  ])('%s is a CONFIG_INVALID error that never echoes the value', (_what, header) => {
    const err = failure(() => parseHeaders([header]));
    expect(err.tag).toBe('CONFIG_INVALID');
    expect(err.message).not.toContain('s3cr3t');
  });

  test('the same errors from MCP_BRIDGE_HEADERS never echo the value either', () => {
    const err = failure(() => settings([], { MCP_BRIDGE_HEADERS: `Authorization ${SECRET}` }));
    expect(err.tag).toBe('CONFIG_INVALID');
    expect(err.message).not.toContain('s3cr3t');
  });

  test.each(['Host', 'Content-Type', 'Accept', 'MCP-Protocol-Version', 'Last-Event-ID'])('%s is set by the bridge and refused with -H', (name) => {
    expect(failure(() => parseHeaders([`${name}: x`])).message).toContain(`Header ${name} is set by mcp-bridge itself`);
  });
});

describe('--url', () => {
  test.each([
    ['not a URL', 'mcp.internal/mcp', 'is not a valid URL'],
    ['another scheme', 'ws://mcp.internal/mcp', 'must be http:// or https://, not ws://'],
  ])('%s is refused', (_what, url, message) => {
    const err = failure(() => settings(['--url', url]));
    expect(err.tag).toBe('CONFIG_INVALID');
    expect(err.message).toContain(message);
  });
});

describe('readCaFiles', () => {
  test('reads each file and names a missing one with its error code', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ca-files-'));
    writeFileSync(join(dir, 'ca.pem'), 'PEM CONTENTS');
    expect(readCaFiles([join(dir, 'ca.pem')])).toEqual(['PEM CONTENTS']);
    expect(readCaFiles(undefined)).toEqual([]);
    const err = failure(() => readCaFiles([join(dir, 'missing.pem')]));
    expect(err.tag).toBe('CONFIG_INVALID');
    expect(err.message).toContain(`--ca ${join(dir, 'missing.pem')} could not be read (ENOENT)`);
  });
});

test('--insecure gets one loud warning naming the unverified server; without it nothing is said', () => {
  const lines: string[] = [];
  const logger = createLogger({ level: 'warn', format: 'text', sink: (line) => lines.push(line) });
  warnIfInsecure(settings([]), logger, 'proxy.example.com:443');
  expect(lines).toEqual([]);
  warnIfInsecure(settings(['--insecure']), logger, 'proxy.example.com:443');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/WARN .*--insecure: the certificate of proxy\.example\.com:443 is NOT verified/);
});
