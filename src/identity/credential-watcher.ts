import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
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
  /**
   * Read on first use, watch later: nothing is read before the first acquire(), and the files are watched (then read
   * once more, in case tbot wrote meanwhile) this long after that first read. For the processes a host starts for one
   * tool call or one era probe: one answered without the server never reads tbot's files, and one gone within this
   * time never pays for watching them (chokidar scanning the directory).
   */
  watchAfterFirstUseMs?: number;
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
  /** Set until the first acquire() schedules the watching it defers (watchAfterFirstUseMs). */
  private watchAfterFirstUseMs?: number;
  private creds?: Credentials;
  private fsWatcher?: FSWatcher;
  private pollTimer?: NodeJS.Timeout;
  private readTimer?: NodeJS.Timeout;
  private reading?: Promise<void>;
  /** A change arrived while reading: read again afterwards, since that read may have missed it. */
  private changedDuringRead = false;
  private failures = 0;
  /** Why the first read failed, while no generation was accepted yet (a bridge's acquire() reads again and says so). */
  private firstReadFailure?: BridgeError;
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
    this.watchAfterFirstUseMs = options.watchAfterFirstUseMs;
  }

  override on(event: 'generation', listener: (creds: Credentials) => void): this;
  override on(event: string | symbol, listener: (...args: any[]) => void): this {
    return super.on(event, listener);
  }

  /** Reads the first generation (rejecting when it is unusable) and starts watching: for one-shot commands. */
  async start(): Promise<Credentials> {
    const creds = await loadCredentials(this.source, 1);
    this.adopt(creds);
    await this.watchFiles();
    return creds;
  }

  /**
   * The current credentials, read again first when there are none yet or they have expired (tbot may have written
   * since the last poll: a caller retrying after a failure must see that at once); rejects with why there are none.
   */
  async acquire(): Promise<Credentials> {
    const stale = !this.creds || this.creds.identity.notAfter.getTime() <= Date.now();
    if (stale && !this.closed) {
      clearTimeout(this.readTimer);
      this.readTimer = undefined;
      await (this.reading ?? this.readNow());
    }
    this.watchSoon();
    return this.current();
  }

  /** The watching watchAfterFirstUseMs defers, once: from then on the watcher follows tbot as start() does. */
  private watchSoon(): void {
    if (this.watchAfterFirstUseMs === undefined) return;
    const delayMs = this.watchAfterFirstUseMs;
    this.watchAfterFirstUseMs = undefined;
    void sleep(delayMs, undefined, { ref: false }).then(() => this.watchFiles().then(() => this.changed()));
  }

  /** Throws the first read's failure (a tagged BridgeError) until one read succeeded. */
  current(): Credentials {
    if (!this.creds) throw this.firstReadFailure ?? new BridgeError('INTERNAL', 'CredentialWatcher.current() called before start() resolved.');
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
      void this.readNow();
    }, delayMs);
  }

  private readNow(): Promise<void> {
    const reading = this.read().finally(() => {
      this.reading = undefined;
      if (this.changedDuringRead && !this.readTimer) {
        this.changedDuringRead = false;
        this.changed();
      }
    });
    this.reading = reading;
    return reading;
  }

  private async watchFiles(): Promise<void> {
    if (this.closed) return;
    const fsWatcher = watch(watchTargets(this.source), { ignoreInitial: true, depth: 0 });
    this.fsWatcher = fsWatcher;
    fsWatcher.on('all', () => this.changed());
    fsWatcher.on('error', (err) => this.logger.debug('file watch error; polling continues', { error: err as Error }));
    await new Promise<void>((resolve) => fsWatcher.once('ready', () => resolve()));
    this.pollTimer = setInterval(() => this.changed(), this.pollIntervalMs);
  }

  /** Until one read succeeded there is nothing to keep: remember why, and let the poll timer try again. */
  private async readFirst(): Promise<void> {
    let creds: Credentials;
    try {
      creds = await loadCredentials(this.source, 1);
    } catch (err) {
      const failure = asBridgeError(err);
      if (this.firstReadFailure?.message !== failure.message) this.logger.debug('identity not usable yet; still watching', { tag: failure.tag, detail: failure.detail });
      this.firstReadFailure = failure;
      return;
    }
    if (this.closed) return;
    if (this.firstReadFailure) this.logger.info('identity files are usable now', { files: creds.files });
    this.firstReadFailure = undefined;
    this.adopt(creds);
    this.emit('generation', creds);
  }

  private async read(): Promise<void> {
    if (!this.creds) return this.readFirst();
    const previous = this.creds;
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
