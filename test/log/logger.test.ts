import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, sanitize } from '../../src/log/logger';

describe('logger', () => {
  it('drops lines below the configured level', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', format: 'text', sink: (l) => lines.push(l) });
    log.debug('hidden');
    log.info('hidden too');
    log.warn('shown', { tag: 'X' });
    log.error('also shown');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/WARN +shown tag=X$/);
  });

  it('writes JSON lines with the component of a child logger', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'debug', format: 'json', sink: (l) => lines.push(l) }).child('relay');
    log.info('started', { pending: 3 });
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'info', msg: 'started', component: 'relay', pending: 3 });
  });

  it('appends to the log file as well as the sink', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-bridge-log-'));
    try {
      const file = join(dir, 'bridge.log');
      createLogger({ level: 'info', format: 'text', file, sink: () => undefined }).info('to file');
      expect(readFileSync(file, 'utf8')).toMatch(/INFO +to file\n$/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('scrubs PEM blocks, JWTs and SSH certificates that reach a log line', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----';
    const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJib3QtZGVtbyJ9.c2lnbmF0dXJlLXZhbHVl';
    const ssh = 'ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQ';
    const out = sanitize(`key ${pem} jwt ${jwt} ssh ${ssh} done`);
    expect(out).toBe('key [redacted] jwt [redacted] ssh [redacted] done');
  });

  it('scrubs a PEM block cut off before its END line', () => {
    expect(sanitize('x -----BEGIN CERTIFICATE-----\nMIIB')).toBe('x [redacted]');
  });
});
