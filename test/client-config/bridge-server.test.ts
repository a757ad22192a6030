import { existsSync } from 'node:fs';
import path from 'node:path';
import { bridgeServer, serverName } from '../../src/client-config/bridge-server';
import { installedBridgeLaunch } from '../../src/client-config/install-location';
import { BridgeError } from '../../src/errors/catalogue';

const launch = { node: '/usr/local/bin/node', bin: '/opt/mcp-bridge/bin/mcp-bridge' };

describe('bridgeServer', () => {
  it('names entries like tsh: teleport-mcp-<app>', () => {
    expect(serverName('docs')).toBe('teleport-mcp-docs');
  });

  it('runs `connect <app>` with node and the bin by absolute path, and carries identity and proxy in env', () => {
    const server = bridgeServer({ app: 'docs', identity: 'tbot-out/identity', proxy: 'teleport.example.com:443' }, launch, '/home/ada');
    expect(server).toEqual({
      command: '/usr/local/bin/node',
      args: ['/opt/mcp-bridge/bin/mcp-bridge', 'connect', 'docs'],
      env: { TELEPORT_IDENTITY_FILE: '/home/ada/tbot-out/identity', TELEPORT_PROXY: 'teleport.example.com:443' },
    });
  });

  it('carries a direct URL and connect tuning flags in the variables connect reads', () => {
    const server = bridgeServer(
      { app: 'everything', url: 'http://127.0.0.1:3001/mcp', insecure: true, autoReconnect: false, keepClientCapabilities: true, maxMessageSize: 4096, maxOutputMessageSize: 0 },
      launch,
    );
    expect(server.args).toEqual(['/opt/mcp-bridge/bin/mcp-bridge', 'connect', 'everything']);
    expect(server.env).toEqual({
      MCP_BRIDGE_URL: 'http://127.0.0.1:3001/mcp',
      MCP_BRIDGE_INSECURE: 'true',
      MCP_BRIDGE_AUTO_RECONNECT: 'false',
      MCP_BRIDGE_KEEP_CLIENT_CAPABILITIES: 'true',
      MCP_BRIDGE_MAX_MESSAGE_SIZE: '4096',
      MCP_BRIDGE_MAX_OUTPUT_MESSAGE_SIZE: '0',
    });
  });

  it('adds absolute CA, cert and key paths and the headers one per line, only when given', () => {
    const server = bridgeServer(
      { app: 'docs', cert: 'c.pem', key: '/k/k.pem', proxy: 'p:443', cas: ['ca.pem', '/x/b.pem'], headers: ['X-Team: a', 'X-Env: prod'] },
      launch,
      '/etc/certs',
    );
    expect(server.env).toEqual({
      MCP_BRIDGE_CERT: '/etc/certs/c.pem',
      MCP_BRIDGE_KEY: '/k/k.pem',
      TELEPORT_PROXY: 'p:443',
      MCP_BRIDGE_CA: `/etc/certs/ca.pem${path.delimiter}/x/b.pem`,
      MCP_BRIDGE_HEADERS: 'X-Team: a\nX-Env: prod',
    });
  });
});

describe('bridgeServer cache settings', () => {
  it('carries --no-cache as MCP_BRIDGE_CACHE=false', () => {
    expect(bridgeServer({ app: 'docs', url: 'http://h/mcp', cache: false }, launch).env).toEqual({ MCP_BRIDGE_URL: 'http://h/mcp', MCP_BRIDGE_CACHE: 'false' });
  });

  it('carries --cache-dir as an absolute MCP_BRIDGE_CACHE_DIR', () => {
    expect(bridgeServer({ app: 'docs', url: 'http://h/mcp', cacheDir: 'run/cache' }, launch, '/srv/agent').env).toEqual({ MCP_BRIDGE_URL: 'http://h/mcp', MCP_BRIDGE_CACHE_DIR: '/srv/agent/run/cache' });
  });
});

describe('installedBridgeLaunch', () => {
  it("finds this checkout's bin/mcp-bridge and the running node", () => {
    const found = installedBridgeLaunch();
    expect(found).toEqual({ node: process.execPath, bin: path.resolve(__dirname, '..', '..', 'bin', 'mcp-bridge') });
    expect(existsSync(found.bin)).toBe(true);
  });

  it('fails with the reinstall advice when no bin/mcp-bridge is above the module', () => {
    expect(() => installedBridgeLaunch('/')).toThrow(BridgeError);
    expect(() => installedBridgeLaunch('/')).toThrow(/incomplete; reinstall it/);
  });
});
