import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { CompleteLines } from './sse-lines';

export interface SseEvent {
  id?: string;
  data: string;
}

export interface SseReadOptions {
  /** Called when the stream sets a reconnection delay (`retry:`). */
  onRetry?: (ms: number) => void;
}

/**
 * Yields the events of a text/event-stream body as they arrive. Pulling one event at a time means a consumer that
 * awaits its output (stdout backpressure) stops the body being read. Events with empty data (priming events,
 * keep-alives) are skipped, but their ids still count: they are where a resumed stream continues from.
 */
export async function* readSse(body: AsyncIterable<Buffer | Uint8Array>, options: SseReadOptions = {}): AsyncGenerator<SseEvent> {
  const queue: SseEvent[] = [];
  const parser = createParser({
    onEvent: (event: EventSourceMessage) => queue.push({ id: event.id || undefined, data: event.data }),
    onRetry: options.onRetry,
  });
  const lines = new CompleteLines();
  for await (const chunk of body) {
    const text = lines.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if (text) parser.feed(text);
    while (queue.length) yield queue.shift()!;
  }
  parser.feed(lines.end());
  while (queue.length) yield queue.shift()!;
}
