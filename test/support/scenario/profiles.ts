import { SDK_V2_NAMES } from '../../../fixtures/upstreams/sdk-v2/tools';

/**
 * What the standard scenario calls on a given upstream: its tools differ (server-everything is a 2025 server, the SDK v2
 * fixture serves both eras), the steps do not.
 */

export type ListKind = 'tools' | 'resources';

export interface ToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

export interface ScenarioProfile {
  readonly name: string;
  /** Tools tools/list must include. */
  readonly listed: string[];
  /** A plain call and a fragment of its text result. */
  readonly call: ToolCall & { expect: string };
  /** A call that reports `steps` progress notifications before its result. */
  readonly progress: ToolCall & { steps: number; expect: string };
  /** A call that makes the server send a list-changed notification of `kind`. */
  readonly listChanged: ToolCall & { kind: ListKind };
  /** A call that asks the client for input (elicitation), the answer the client gives, and a fragment of the result. */
  readonly elicitation: ToolCall & { answer: Record<string, unknown>; expect: string };
}

export const SDK_V2_PROFILE: ScenarioProfile = {
  name: 'sdk-v2',
  listed: [SDK_V2_NAMES.echo, SDK_V2_NAMES.progress, SDK_V2_NAMES.confirm, SDK_V2_NAMES.region, SDK_V2_NAMES.nonAscii],
  call: { name: SDK_V2_NAMES.echo, arguments: { message: 'hello eras' }, expect: 'Echo: hello eras' },
  progress: { name: SDK_V2_NAMES.progress, arguments: { steps: 3, delayMs: 20 }, steps: 3, expect: 'counted to 3' },
  listChanged: { name: SDK_V2_NAMES.enableExtra, arguments: {}, kind: 'tools' },
  // The answer satisfies CONFIRM_SCHEMA, which the server asks with (clients validate it).
  elicitation: { name: SDK_V2_NAMES.confirm, arguments: { action: 'deploy' }, answer: { name: 'Ada', confirm: true }, expect: 'confirmed deploy by Ada' },
};

/** A tiny file as a data: URI, so gzip-file-as-resource needs no network. */
const GZIP_INPUT = `data:text/plain;base64,${Buffer.from('mcp-bridge eras').toString('base64')}`;

export const SERVER_EVERYTHING_PROFILE: ScenarioProfile = {
  name: 'server-everything',
  listed: ['echo', 'trigger-long-running-operation', 'gzip-file-as-resource'],
  call: { name: 'echo', arguments: { message: 'hello eras' }, expect: 'Echo: hello eras' },
  progress: { name: 'trigger-long-running-operation', arguments: { duration: 0.3, steps: 3 }, steps: 3, expect: 'completed' },
  // Registering the session resource makes the SDK v1 server announce resources/list_changed.
  listChanged: { name: 'gzip-file-as-resource', arguments: { name: 'eras.txt.gz', data: GZIP_INPUT, outputType: 'resourceLink' }, kind: 'resources' },
  elicitation: { name: 'trigger-elicitation-request', arguments: {}, answer: { name: 'Ada' }, expect: 'Ada' },
};
