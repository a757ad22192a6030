import { appendFileSync, openSync, closeSync } from 'node:fs';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogFormat = 'text' | 'json';
export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

/**
 * Structured fields attached to a log line. Callers pass facts (ids, sizes, tags, durations), never secrets:
 * keys, certificate bodies, JWTs and header values are stripped by `sanitize` as a second line of defence.
 */
export type LogFields = Record<string, unknown>;

export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  enabled(level: LogLevel): boolean;
  /** A logger that adds `component` to every line. */
  child(component: string): Logger;
}

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** Optional file that receives the same lines as stderr. */
  file?: string;
  /** Where lines go; stderr by default. stdout is reserved for JSON-RPC and is never a log sink. */
  sink?: (line: string) => void;
}

const SECRET_PATTERNS: RegExp[] = [
  /-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(-----END [A-Z0-9 ]+-----|$)/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, // JWTs
  /\b[a-z0-9-]+-cert-v0\d@openssh\.com\s+\S+/g,
];

/** Replaces anything shaped like a PEM block, JWT or SSH certificate with a placeholder. */
export function sanitize(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, '[redacted]');
  return out;
}

function renderValue(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}

function formatLine(format: LogFormat, level: LogLevel, message: string, fields: LogFields): string {
  const time = new Date().toISOString();
  if (format === 'json') {
    const entries = Object.fromEntries(
      Object.entries(fields).map(([k, v]) => [k, v instanceof Error ? v.message : v]),
    );
    return sanitize(JSON.stringify({ time, level, msg: message, ...entries }));
  }
  const rest = Object.entries(fields)
    .map(([k, v]) => `${k}=${renderValue(v)}`)
    .join(' ');
  return sanitize(`${time} ${level.toUpperCase().padEnd(5)} ${message}${rest ? ' ' + rest : ''}`);
}

export function createLogger(options: LoggerOptions, baseFields: LogFields = {}): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level);
  if (options.file) closeSync(openSync(options.file, 'a', 0o600)); // fail early, with the OS's message, if unwritable
  const sink = options.sink ?? ((line: string) => process.stderr.write(line + '\n'));
  const enabled = (level: LogLevel) => LOG_LEVELS.indexOf(level) <= threshold;
  const emit = (level: LogLevel, message: string, fields?: LogFields) => {
    if (!enabled(level)) return;
    const line = formatLine(options.format, level, message, { ...baseFields, ...fields });
    sink(line);
    if (options.file) appendFileSync(options.file, line + '\n');
  };
  return {
    error: (m, f) => emit('error', m, f),
    warn: (m, f) => emit('warn', m, f),
    info: (m, f) => emit('info', m, f),
    debug: (m, f) => emit('debug', m, f),
    enabled,
    child: (component) => createLogger(options, { ...baseFields, component }),
  };
}

/** For library code and tests that need a Logger but nothing logged. */
export const silentLogger: Logger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  enabled: () => false,
  child: () => silentLogger,
};
