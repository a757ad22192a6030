import { liveLines, statusLine, type DemoInfo } from './frame';
import type { DemoEvent, DemoState } from './state';

/**
 * Where the demo's own output goes (stdout; mcp-bridge's stderr goes to log files). On a TTY the status block is
 * redrawn in place with ANSI escapes; otherwise (CI, pipes) every event is one appended line, with a status line
 * every few seconds, so logs stay readable and diffable.
 */
export interface DemoView {
  /** A line outside the live block (start-up progress). */
  note(text: string): void;
  /** Called on every tick: redraws (TTY) or prints a status line when one is due (plain). */
  refresh(): void;
  /** Final redraw, then the summary. */
  finish(summary: string[]): void;
}

const PLAIN_STATUS_EVERY_MS = 2000;
const ESC = '\x1b[';

export function createView(out: NodeJS.WriteStream, state: DemoState, info: DemoInfo): DemoView {
  return out.isTTY ? new LiveView(out, state, info) : new PlainView(out, state);
}

class LiveView implements DemoView {
  private drawn = 0;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly state: DemoState,
    private readonly info: DemoInfo,
  ) {}

  note(text: string): void {
    this.erase();
    this.out.write(`${text}\n`);
  }

  refresh(): void {
    // Wrapped lines would break the count of lines to move up, so each line is cut to the terminal's width.
    const width = Math.max(20, (this.out.columns || 80) - 1);
    const lines = liveLines(this.state, this.info, new Date()).map((line) => (line.length > width ? line.slice(0, width - 1) + '…' : line));
    this.erase();
    this.out.write(`${ESC}?25l${lines.join('\n')}\n`);
    this.drawn = lines.length;
  }

  finish(summary: string[]): void {
    this.refresh();
    this.out.write(`${ESC}?25h\n${summary.join('\n')}\n`);
  }

  private erase(): void {
    if (this.drawn > 0) this.out.write(`${ESC}${this.drawn}F${ESC}J`);
    this.drawn = 0;
  }
}

class PlainView implements DemoView {
  private lastStatus = Date.now();

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly state: DemoState,
  ) {
    state.onEvent((event) => this.line(this.stamp(event.at), eventText(event)));
  }

  note(text: string): void {
    this.out.write(`${text}\n`);
  }

  refresh(): void {
    const now = new Date();
    if (now.getTime() - this.lastStatus < PLAIN_STATUS_EVERY_MS) return;
    this.lastStatus = now.getTime();
    this.line(this.stamp(now), statusLine(this.state, now));
  }

  finish(summary: string[]): void {
    this.line(this.stamp(new Date()), statusLine(this.state, new Date()));
    this.out.write(`\n${summary.join('\n')}\n`);
  }

  private stamp(at: Date): string {
    return `[+${((at.getTime() - this.state.startedAt.getTime()) / 1000).toFixed(1)}s]`;
  }

  private line(stamp: string, text: string): void {
    this.out.write(`${stamp} ${text}\n`);
  }
}

const eventText = (event: DemoEvent) => (event.kind === 'failure' ? `FAILURE ${event.text}` : event.text);
