import { createParser, type EventSourceMessage } from 'eventsource-parser';

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
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    while (queue.length) yield queue.shift()!;
  }
  parser.feed(decoder.decode());
  while (queue.length) yield queue.shift()!;
}
