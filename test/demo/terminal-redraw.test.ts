import { Writable } from 'node:stream';
import { createView } from '../../scripts/demo/terminal';
import { DemoState } from '../../scripts/demo/state';

/** A terminal-like stream: what the view wrote, and the TTY facts it consults. */
function terminal(isTTY: boolean, columns = 60): { stream: NodeJS.WriteStream; writes: string[] } {
  const writes: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push(chunk.toString('utf8'));
      done();
    },
  });
  return { stream: Object.assign(stream, { isTTY, columns }) as unknown as NodeJS.WriteStream, writes };
}

const renewal = (generation: number) => ({ generation, serial: 'ab'.repeat(16), notAfter: new Date(Date.now() + 60_000) });

describe('demo terminal view', () => {
  test('on a TTY it redraws the block in place: moves up over the lines it drew, clears, draws again', () => {
    const { stream, writes } = terminal(true);
    const state = new DemoState();
    const view = createView(stream, state, { logFiles: [] });
    view.refresh();
    const firstBlockLines = writes[0].split('\n').length - 1;
    state.identityWritten(renewal(1));
    view.refresh();
    expect(writes[1]).toBe(`\x1b[${firstBlockLines}F\x1b[J`);
    expect(writes[2]).toContain('generation 1, serial abababababab…');
  });

  test('on a TTY no line is wider than the terminal, so the line count to move up stays right', () => {
    const { stream, writes } = terminal(true, 40);
    const state = new DemoState();
    state.whoami = { user: 'bot-with-a-rather-long-name', roles: ['role-one', 'role-two', 'role-three'] };
    createView(stream, state, { logFiles: [] }).refresh();
    const lines = writes.join('').replace(/\x1b\[\?25l/, '').split('\n');
    expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(39);
  });

  test('without a TTY it appends one line per event and never writes ANSI escapes', () => {
    const { stream, writes } = terminal(false);
    const state = new DemoState();
    const view = createView(stream, state, { logFiles: [] });
    state.identityWritten(renewal(1));
    state.identityWritten(renewal(2));
    state.callFailed('echo@everything', 'boom');
    view.finish(['summary line']);
    const output = writes.join('');
    expect(output).not.toContain('\x1b[');
    expect(output).toMatch(/^\[\+[\d.]+s\] tbot wrote identity generation 1, serial abababababab…$/m);
    expect(output).toMatch(/^\[\+[\d.]+s\] tbot renewed: generation 2, serial abababababab…$/m);
    expect(output).toMatch(/^\[\+[\d.]+s\] FAILURE echo@everything failed: boom$/m);
    expect(output.trimEnd().endsWith('summary line')).toBe(true);
    expect(state.renewals).toBe(1);
  });
});
