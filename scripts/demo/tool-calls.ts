import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { WhoamiClaims } from './state';

/**
 * The tool calls the demo repeats, each checking its answer so a wrong or empty result counts as a failure, not
 * just a thrown error.
 */

export interface ToolCall {
  /** Shown in the view, e.g. "whoami@demo". */
  label: string;
  run(): Promise<void>;
}

type CallResult = Awaited<ReturnType<Client['callTool']>>;

function textOf(result: CallResult, label: string): string {
  const content = Array.isArray(result.content) ? result.content : [];
  const first = content[0] as { type?: string; text?: unknown } | undefined;
  if (result.isError) throw new Error(`${label} returned an error result: ${typeof first?.text === 'string' ? first.text : 'no text'}`);
  if (first?.type !== 'text' || typeof first.text !== 'string') throw new Error(`${label} returned no text content`);
  return first.text;
}

/** `whoami` on the demo server: who the upstream says called it, from the JWT the App Service added. */
export function whoamiCall(client: Client, app: string, seen: (claims: WhoamiClaims) => void): ToolCall {
  const label = `whoami@${app}`;
  return {
    label,
    async run() {
      const claims = JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} }), label)) as { username?: unknown; roles?: unknown } | null;
      if (typeof claims?.username !== 'string' || claims.username === '') throw new Error(`${label}: the server saw no Teleport user (no JWT)`);
      seen({ user: claims.username, roles: Array.isArray(claims.roles) ? claims.roles.map(String) : [] });
    },
  };
}

/** `echo` on server-everything, with a message that changes every call so a stale answer is caught. */
export function echoCall(client: Client, app: string): ToolCall {
  const label = `echo@${app}`;
  let sequence = 0;
  return {
    label,
    async run() {
      const message = `demo call ${++sequence}`;
      const text = textOf(await client.callTool({ name: 'echo', arguments: { message } }), label);
      if (!text.includes(message)) throw new Error(`${label} answered ${JSON.stringify(text.slice(0, 80))}, expected it to contain ${JSON.stringify(message)}`);
    },
  };
}
