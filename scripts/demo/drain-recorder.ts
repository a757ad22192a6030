import type { Recorder } from '../../fixtures/cluster';
import type { DemoState } from './state';

/**
 * Moves the cluster recorder's entries into demo state, then clears the recorder so a long demo does not grow it
 * without bound: each successful GenerateUserCerts with RouteToApp is an app certificate the cluster issued to
 * mcp-bridge, and each forwarded app request names the serial of the app certificate it came with.
 */
export function drainRecorder(recorder: Recorder, state: DemoState): void {
  for (const rpc of recorder.rpcs) {
    const app = (rpc.request.RouteToApp as { Name?: unknown } | undefined)?.Name;
    if (rpc.method === 'GenerateUserCerts' && rpc.code === 0 && typeof app === 'string') state.appCertIssued(app, rpc.at);
  }
  for (const request of recorder.appRequests) {
    if (request.forwarded && request.appName && request.certSerial) state.appCertSeen(request.appName, request.certSerial);
  }
  recorder.clear();
}
