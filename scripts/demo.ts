/**
 * `npm run demo`: the whole path on one machine. A local Teleport test cluster with two MCP apps, a tbot emulator
 * renewing the bot's identity every few seconds, and `mcp-bridge connect` for each app under the MCP SDK's client
 * (spawned over stdio like Claude Desktop does). Tools are called continuously across renewals while a live view
 * shows who the upstream sees, the identity, app certificates, renewals and latency. Ctrl-C or --duration ends it;
 * the exit code is 0 when no call failed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAll, type BridgeClient } from './demo/bridge-client';
import { drainRecorder } from './demo/drain-recorder';
import { APPS, startDemoEnvironment, type DemoEnvironment } from './demo/environment';
import { summaryLines, type DemoInfo } from './demo/frame';
import { runLoad, STOP_INTERRUPTED } from './demo/load';
import { parseDemoOptions } from './demo/options';
import { DemoState } from './demo/state';
import { createView } from './demo/terminal';
import { echoCall, whoamiCall } from './demo/tool-calls';

const TICK_MS = 250;
const STOP_DURATION = 'duration';

/** Aborts on the first Ctrl-C/SIGTERM, or --duration after the calls began; a second Ctrl-C exits at once. */
class StopControl {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private readonly onSignal = () => {
    if (this.signal.aborted) process.exit(130);
    this.controller.abort(STOP_INTERRUPTED);
  };

  constructor() {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  stopAfter(seconds: number | undefined): void {
    if (seconds !== undefined) this.timer = setTimeout(() => this.controller.abort(STOP_DURATION), seconds * 1000);
  }

  dispose(): void {
    clearTimeout(this.timer);
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }
}

async function main(): Promise<number> {
  const options = parseDemoOptions(process.argv.slice(2));
  const tmpDir = await mkdtemp(join(tmpdir(), 'mcp-bridge-demo-'));
  const logFiles = Object.fromEntries(Object.values(APPS).map((app) => [app, join(tmpDir, `mcp-bridge-${app}.log`)]));
  const info: DemoInfo = { logFiles: Object.values(logFiles), durationSeconds: options.durationSeconds };
  const state = new DemoState();
  const view = createView(process.stdout, state, info);
  const stop = new StopControl();
  let env: DemoEnvironment | undefined;
  let bridges: BridgeClient[] = [];
  let ticker: NodeJS.Timeout | undefined;
  let startFailed = false;
  try {
    view.note(`Starting the local Teleport test cluster, MCP servers and tbot (renewing every ${options.renewEverySeconds} s) in ${tmpDir}…`);
    env = await startDemoEnvironment({ tmpDir, renewEveryMs: options.renewEverySeconds * 1000, onRenewal: (s) => state.identityWritten(s) });
    const { cluster, identityDir } = env;
    // Ctrl-C reaches mcp-bridge too (same process group), so its exit after a stop is expected.
    const onUnexpectedExit = (app: string, logFile: string) => {
      if (!stop.signal.aborted) state.bridgeExited(app, logFile);
    };
    view.note(`Proxy ${cluster.proxyAddr}; starting mcp-bridge connect ${Object.values(APPS).join(' and ')} -i ${identityDir}…`);
    bridges = await connectAll(
      [APPS.whoami, APPS.echo].map((app) => ({ app, identityDir, proxyAddr: cluster.proxyAddr, caFile: cluster.publicCaFile, logFile: logFiles[app], signal: stop.signal, onUnexpectedExit })),
    );
    const [whoamiBridge, echoBridge] = bridges;
    const calls = [whoamiCall(whoamiBridge.client, APPS.whoami, (claims) => (state.whoami = claims)), echoCall(echoBridge.client, APPS.echo)];

    const tick = () => {
      drainRecorder(cluster.recorder, state);
      view.refresh();
    };
    ticker = setInterval(tick, TICK_MS);
    stop.stopAfter(options.durationSeconds);
    // Returns once stopped and every call in flight has ended.
    await runLoad({ calls, concurrency: options.concurrency, callsPerSecond: options.callsPerSecond, state, signal: stop.signal });
    tick();
  } catch (err) {
    if (stop.signal.aborted) {
      view.note('stopped before the calls began');
    } else {
      view.note(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
      startFailed = true;
    }
  } finally {
    clearInterval(ticker);
    stop.dispose();
    // Closing the client ends mcp-bridge's stdin: it deletes its MCP session and exits.
    await Promise.allSettled(bridges.map((b) => b.close()));
    await env?.close().catch((err: Error) => view.note(`stopping the test cluster failed: ${err.message}`));
    // tbot's output holds private keys; the logs stay for reading.
    await rm(join(tmpDir, 'tbot'), { recursive: true, force: true });
  }
  view.finish(summaryLines(state, info, new Date()));
  return startFailed || state.failures > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
