import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'chokidar';
import { BridgeError, asBridgeError } from '../errors/catalogue';
import type { Logger } from '../log/logger';
import { ExpiryWarnings } from './expiry-warnings';
import { loadCredentials } from './load-credentials';
import type { Credentials, IdentitySource } from './types';

export interface CredentialWatcherOptions {
  logger: Logger;
  /** Re-read on this timer too: tbot rewrites in place (same inode), so file events can be missed. */
  pollIntervalMs?: number;
  /** How long after the first change event to read, so one renewal's burst of writes is read once. */
  debounceMs?: number;
}

const DEFAULT_POLL_MS = 5_000;
const DEFAULT_DEBOUNCE_MS = 300;
/** Consecutive failed reads before the failure is worth a warning (a renewal in progress fails a read or two). */
const FAILURES_BEFORE_WARNING = 5;

/** Same certificate and same CAs: nothing a TLS client would do differently. */
function sameMaterial(a: Credentials, b: Credentials): boolean {
  return a.fingerprint === b.fingerprint && a.caPems.join('') === b.caPems.join('');
}

function watchTargets(source: IdentitySource): string[] {
  return source.kind === 'path' ? [source.path] : [source.certFile, source.keyFile, ...source.caFiles];
}

/**
 * Watches tbot's output and hands out only complete, matching generations. Change events and a poll timer both
 * trigger a read after a short settle window; a read that fails validation (torn file, key from another renewal)
 * keeps the last good credentials and is retried with backoff. Emits 'generation' for each accepted change after
 * `start()` (a new certificate or CA set); `start()` itself resolves with the first.
 */
export class CredentialWatcher extends EventEmitter {
  private readonly logger: Logger;
  private readonly pollIntervalMs: number;
  private readonly debounceMs: number;
  private readonly expiry: ExpiryWarnings;
  private creds?: Credentials;
  private fsWatcher?: FSWatcher;
  private pollTimer?: NodeJS.Timeout;
  private readTimer?: NodeJS.Timeout;
  private reading?: Promise<void>;
  /** A change arrived while reading: read again afterwards, since that read may have missed it. */
  private changedDuringRead = false;
  private failures = 0;
  private failureWarned = false;
  private readonly warningsGiven = new Set<string>();
  private closed = false;

  constructor(
    private readonly source: IdentitySource,
    options: CredentialWatcherOptions,
  ) {
    super();
    this.logger = options.logger.child('identity');
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_MS;
    this.debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
    this.expiry = new ExpiryWarnings(this.logger);
  }

  override on(event: 'generation', listener: (creds: Credentials) => void): this;
  override on(event: string | symbol, listener: (...args: any[]) => void): this {
    return super.on(event, listener);
  }

  async start(): Promise<Credentials> {
    const creds = await loadCredentials(this.source, 1);
    this.adopt(creds);
    const fsWatcher = watch(watchTargets(this.source), { ignoreInitial: true, depth: 0 });
    this.fsWatcher = fsWatcher;
    fsWatcher.on('all', () => this.changed());
    fsWatcher.on('error', (err) => this.logger.debug('file watch error; polling continues', { error: err as Error }));
    await new Promise<void>((resolve) => fsWatcher.once('ready', () => resolve()));
    this.pollTimer = setInterval(() => this.changed(), this.pollIntervalMs);
    return creds;
  }

  current(): Credentials {
    if (!this.creds) throw new BridgeError('INTERNAL', 'CredentialWatcher.current() called before start() resolved.');
    return this.creds;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.readTimer);
    this.expiry.clear();
    await this.fsWatcher?.close();
    await this.reading;
  }

  private changed(): void {
    if (this.closed) return;
    if (this.reading) this.changedDuringRead = true;
    else if (!this.readTimer) this.scheduleRead(this.debounceMs);
    // Otherwise a read is already scheduled: later events of the same burst must not postpone it indefinitely.
  }

  private scheduleRead(delayMs: number): void {
    clearTimeout(this.readTimer);
    this.readTimer = setTimeout(() => {
      this.readTimer = undefined;
      this.reading = this.read().finally(() => {
        this.reading = undefined;
        if (this.changedDuringRead && !this.readTimer) {
          this.changedDuringRead = false;
          this.changed();
        }
      });
    }, delayMs);
  }

  private async read(): Promise<void> {
    const previous = this.current();
    let next: Credentials;
    try {
      next = await loadCredentials(this.source, previous.generation + 1);
    } catch (err) {
      this.failed(asBridgeError(err), previous);
      return;
    }
    if (this.closed) return;
    if (this.failureWarned) this.logger.info('identity files are complete again', { files: next.files });
    this.failures = 0;
    this.failureWarned = false;
    if (sameMaterial(previous, next)) return;
    this.adopt(next);
    this.logger.info('new identity generation', {
      generation: next.generation,
      notAfter: next.identity.notAfter.toISOString(),
      fingerprint: next.fingerprint.slice(0, 16),
    });
    this.emit('generation', next);
  }

  private failed(err: BridgeError, kept: Credentials): void {
    if (this.closed) return;
    this.failures++;
    this.logger.debug('identity read rejected; keeping the last good credentials', { tag: err.tag, detail: err.detail, attempt: this.failures });
    if (this.failures >= FAILURES_BEFORE_WARNING && !this.failureWarned) {
      this.failureWarned = true;
      this.logger.warn(`identity files keep failing validation; still using generation ${kept.generation} (valid until ${kept.identity.notAfter.toISOString()})`, {
        error: err.message,
      });
    }
    // Backoff: a renewal in progress settles in milliseconds, a broken output may take tbot's whole retry cycle.
    const delay = Math.min(Math.max(this.debounceMs, 50) * 2 ** (this.failures - 1), this.pollIntervalMs);
    if (!this.readTimer) this.scheduleRead(delay);
  }

  private adopt(creds: Credentials): void {
    this.creds = creds;
    this.expiry.track(creds);
    for (const warning of creds.warnings) {
      if (this.warningsGiven.has(warning)) continue;
      this.warningsGiven.add(warning);
      this.logger.warn(warning);
    }
  }
}
