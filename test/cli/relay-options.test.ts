import yargs from 'yargs';
import { BridgeError } from '../../src/errors/catalogue';
import { DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_MAX_OUTPUT_MESSAGE_SIZE } from '../../src/mcp/limits';
import { relaySettingsFromArgs, withRelayOptions } from '../../src/cli/relay-options';

const ENV_NAMES = ['MCP_BRIDGE_AUTO_RECONNECT', 'MCP_BRIDGE_KEEP_CLIENT_CAPABILITIES', 'MCP_BRIDGE_MAX_MESSAGE_SIZE', 'MCP_BRIDGE_MAX_OUTPUT_MESSAGE_SIZE'];

/** Parses argv with the options' defaults taken from `env` (they are read when the options are built). */
function settings(argv: string[], env: Record<string, string> = {}) {
  const saved = Object.fromEntries(ENV_NAMES.map((name) => [name, process.env[name]]));
  try {
    for (const name of ENV_NAMES) delete process.env[name];
    Object.assign(process.env, env);
    return relaySettingsFromArgs(withRelayOptions(yargs(argv)).parseSync());
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

test('defaults: reconnect on, client capabilities hidden, the 16 MiB stdin limit, the stdout limit SDK clients take', () => {
  expect(DEFAULT_MAX_OUTPUT_MESSAGE_SIZE).toBe(10 * 1024 * 1024 - 64 * 1024);
  expect(settings([])).toEqual({
    autoReconnect: true,
    keepClientCapabilities: false,
    maxMessageSize: DEFAULT_MAX_MESSAGE_SIZE,
    maxOutputMessageSize: DEFAULT_MAX_OUTPUT_MESSAGE_SIZE,
  });
});

test('each option has an environment equivalent, and flags override it', () => {
  const env = {
    MCP_BRIDGE_AUTO_RECONNECT: 'false',
    MCP_BRIDGE_KEEP_CLIENT_CAPABILITIES: 'yes',
    MCP_BRIDGE_MAX_MESSAGE_SIZE: '2048',
    MCP_BRIDGE_MAX_OUTPUT_MESSAGE_SIZE: '0',
  };
  expect(settings([], env)).toEqual({ autoReconnect: false, keepClientCapabilities: true, maxMessageSize: 2048, maxOutputMessageSize: 0 });
  expect(settings(['--auto-reconnect', '--no-keep-client-capabilities', '--max-message-size', '4096', '--max-output-message-size', '65536'], env)).toEqual({
    autoReconnect: true,
    keepClientCapabilities: false,
    maxMessageSize: 4096,
    maxOutputMessageSize: 65536,
  });
  expect(settings(['--no-auto-reconnect']).autoReconnect).toBe(false);
});

test.each([
  ['a value below 1024', ['--max-message-size', '512'], {}],
  ['a fraction', ['--max-message-size', '2048.5'], {}],
  ['a non-number in the environment', [], { MCP_BRIDGE_MAX_MESSAGE_SIZE: 'big' }],
])('--max-message-size refuses %s', (_what, argv, env) => {
  expect(() => settings(argv, env)).toThrow(BridgeError);
  expect(() => settings(argv, env)).toThrow(/--max-message-size must be a whole number of bytes, at least 1024/);
});

test.each([
  ['a value below 1024 other than 0', ['--max-output-message-size', '100'], {}],
  ['a negative value', ['--max-output-message-size', '-1'], {}],
  ['a non-number in the environment', [], { MCP_BRIDGE_MAX_OUTPUT_MESSAGE_SIZE: 'ten' }],
])('--max-output-message-size refuses %s', (_what, argv, env) => {
  expect(() => settings(argv, env)).toThrow(/--max-output-message-size must be a whole number of bytes, at least 1024, or 0 for no limit/);
});
