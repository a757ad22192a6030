import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CreateMessageRequestSchema, ElicitRequestSchema, ListRootsRequestSchema, type ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';

/** What a client must declare for server-everything's sampling, elicitation and roots tools to reach it. */
export const SERVER_REQUEST_CAPABILITIES: ClientCapabilities = { sampling: {}, elicitation: {}, roots: { listChanged: true } };

/**
 * Answers server→client requests with canned replies the tests look for: sampling with "sampled: <prompt>", elicitation
 * with name "Ada", roots/list with file:///work/project (counted).
 */
export function answerServerRequests(client: Client): { rootsAsked: () => number } {
  let rootsAsked = 0;
  client.setRequestHandler(CreateMessageRequestSchema, async (req) => ({
    model: 'test-model',
    role: 'assistant',
    content: { type: 'text', text: `sampled: ${JSON.stringify(req.params.messages[0].content)}` },
  }));
  client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { name: 'Ada', check: true } }));
  client.setRequestHandler(ListRootsRequestSchema, async () => {
    rootsAsked++;
    return { roots: [{ uri: 'file:///work/project', name: 'project' }] };
  });
  return { rootsAsked: () => rootsAsked };
}
