import { asBridgeError, BridgeError } from '../../errors/catalogue';
import type { Logger } from '../../log/logger';
import type { ClientNotification, ClientRequest, ClientResponse, Link, LinkContext, LinkSettings, Reply } from '../link';
import { failedReply, replyOf } from '../modern/replies';
import { bridgeRequestId, StatelessExchange } from '../modern/stateless-exchange';
import { clientEraOf } from './client-era';
import { isLegacyRefusal, readProbe, type Detection, type Verdict } from './detect';
import { discoverRequest, requestMeta, type Discovered } from './discover';
import { declaredVersionOf, isJsonObject, paramsOf } from './meta';
import { isModernError, rpcErrorOf, type RpcError } from './spec-errors';
import { EraVerdicts } from './verdicts';
import { mutualModernVersion, type Era } from './versions';

/**
 * Which link serves the client: a stream app's (the server's own protocol, relayed as bytes), or, over Streamable
 * HTTP, the one for the pair of eras; a legacy client over a modern server needs what server/discover said.
 */
export type LinkChoice =
  | { stream: true }
  | { client: 'legacy'; upstream: 'legacy' }
  | { client: 'legacy'; upstream: 'modern'; version: string; discovered: Discovered; forgetEra(): Promise<void> }
  | { client: 'modern'; upstream: Era };

export type ChooseLink = (choice: LinkChoice) => Link;

/**
 * The link until the facts that pick the real one are known, then the one `choose` (open-link.ts) picks, to which
 * everything is delegated. The facts: the upstream's transport (known once it is ready: Teleport looks the app up
 * while the MCP client starts), and over Streamable HTTP the two eras — the client's from its first request
 * (client-era.ts), the upstream's from the era cache (verdicts.ts) or, per the spec's HTTP rules, from a
 * `server/discover` sent with the 2026-07-28 headers (detect.ts): the client's own when it probes, else one made
 * for it from its `initialize`. A 2026-07-28 `server/discover` for a server remembered as 2025-only is answered at
 * once, before the upstream is ready. Messages that arrive meanwhile wait and keep their order; a request made while
 * no choice could be made gets the error, and the next one tries again.
 *
 * What is remembered is checked at first contact: a server remembered as modern that refuses a modern request the
 * 2025 way, or one remembered as legacy that refuses `initialize` the modern way, is detected again and served by
 * the right link.
 */
export class EraLink implements Link {
  private link?: Link;
  /** Settles once a link is chosen or the choice failed: what arrives meanwhile waits for it, in arrival order. */
  private choosing?: Promise<void>;
  private chosen?: () => void;
  private readonly early: ClientNotification[] = [];
  private readonly verdicts: EraVerdicts;
  private readonly probe: StatelessExchange;
  private readonly logger: Logger;

  constructor(
    private readonly context: LinkContext,
    settings: LinkSettings,
    private readonly choose: ChooseLink,
  ) {
    this.logger = context.logger;
    this.verdicts = new EraVerdicts(settings.eraStore, context.upstream.cacheKey, this.logger);
    this.probe = new StatelessExchange(context, settings);
  }

  // Once chosen, each call goes straight to the link, adding no turn of the event loop that could reorder messages.
  request(request: ClientRequest): Promise<Reply> {
    if (this.link) return this.link.request(request);
    if (this.choosing) return this.choosing.then(() => this.request(request));
    this.choosing = new Promise((resolve) => (this.chosen = resolve));
    return this.decide(request).finally(() => this.settled());
  }

  notify(notification: ClientNotification): Promise<void> {
    if (this.link) return this.link.notify(notification);
    if (this.choosing) return this.choosing.then(() => this.notify(notification));
    this.early.push(notification);
    return Promise.resolve();
  }

  respond(response: ClientResponse): Promise<void> {
    if (this.link) return this.link.respond(response);
    if (this.choosing) return this.choosing.then(() => this.respond(response));
    this.logger.debug('dropping a response from the client before any request', { id: response.id });
    return Promise.resolve();
  }

  beginShutdown(): void {
    this.link?.beginShutdown?.();
  }

  async close(): Promise<void> {
    await this.link?.close();
  }

  /** The choice is made (or failed): whoever waits goes on. */
  private settled(): void {
    const chosen = this.chosen;
    this.chosen = this.choosing = undefined;
    chosen?.();
  }

  private async decide(first: ClientRequest): Promise<Reply> {
    // The upstream starts up when first asked (ready()). Any request but server/discover needs it whatever the era, so
    // it starts beside the era read; a discover may be answered from that read alone, and then nothing starts.
    if (first.method !== 'server/discover') this.context.upstream.ready().catch(() => undefined);
    // Only Streamable HTTP upstreams have a remembered era: one known means no need to wait for the transport.
    const remembered = await this.verdicts.get();
    const modernClient = clientEraOf(first) === 'modern';
    // A legacy verdict checked long ago does not answer a discover by itself: the server is asked again (upgraded?).
    const recheck = first.method === 'server/discover' && remembered?.verdict.era === 'legacy' && !remembered.answersDiscover;
    if (modernClient && remembered?.verdict.era === 'legacy' && !recheck) return this.use({ client: 'modern', upstream: 'legacy' }).request(first);
    if (modernClient && remembered && first.method === 'server/discover' && remembered.freshDiscover) {
      this.use({ client: 'modern', upstream: 'modern' });
      return { message: { jsonrpc: '2.0', id: first.id, result: remembered.freshDiscover.result } };
    }
    try {
      await this.context.upstream.ready();
    } catch (err) {
      return failedReply(first.id, asBridgeError(err));
    }
    if (this.context.upstream.transport() === 'stream') return this.use({ stream: true }).request(first);
    if (modernClient) {
      if ((!remembered || recheck) && first.method === 'server/discover') return this.probeFor(first);
      return this.firstModernContact(first, remembered !== undefined);
    }
    if (remembered?.verdict.era === 'legacy') {
      const reply = await this.legacyFirst(first);
      if (reply) return reply;
      this.logger.info('the server remembered as MCP 2025 refused initialize the 2026-07-28 way; detecting its era again');
      await this.verdicts.forget();
    }
    return this.detectForLegacyClient(first);
  }

  /**
   * Sends a 2025 client's first request the 2025 way; undefined (and no link chosen) when the answer shows a server
   * that speaks only the 2026-07-28 revision.
   */
  private async legacyFirst(first: ClientRequest): Promise<Reply | undefined> {
    const session = this.use({ client: 'legacy', upstream: 'legacy' });
    const reply = await session.request(first);
    if (!showsModernServer(reply)) return reply;
    await session.close();
    this.link = undefined;
    return undefined;
  }

  private use(choice: LinkChoice): Link {
    const link = this.choose(choice);
    this.link = link;
    this.logger.debug('link chosen', 'stream' in choice ? { transport: 'stream' } : { client: choice.client, upstream: choice.upstream });
    for (const notification of this.early.splice(0)) void link.notify(notification);
    this.settled();
    return link;
  }

  /**
   * A modern client's own server/discover is the probe: its answer decides, and is the client's answer. One that
   * names no version would go without the 2026-07-28 headers, which a modern server refuses: it gets ours.
   */
  private async probeFor(first: ClientRequest): Promise<Reply> {
    const named = declaredVersionOf(first.message) !== undefined;
    const probe = named ? first.message : discoverRequest(first.id, requestMeta({}));
    const sent = await this.probe.send(first.id, probe, named ? first.body : JSON.stringify(probe));
    const detection = await this.settle(readProbe(sent, this.host));
    if ('failed' in detection) return failedReply(first.id, detection.failed);
    if (detection.verdict.era === 'legacy') {
      const link = this.use({ client: 'modern', upstream: 'legacy' });
      return detection.malformed ? failedReply(first.id, detection.malformed) : link.request(first);
    }
    this.use({ client: 'modern', upstream: 'modern' });
    return replyOf(first.id, sent);
  }

  /**
   * A modern client that did not probe (it knows the server, e.g. from its sibling's probe) is relayed at once; a
   * 2025 server shows itself in the first answer, which then becomes the 2025-only answer.
   */
  private async firstModernContact(first: ClientRequest, remembered: boolean): Promise<Reply> {
    const reply = await this.use({ client: 'modern', upstream: 'modern' }).request(first);
    if (reply.failure && isLegacyRefusal(reply.failure)) {
      if (remembered) this.logger.info('the server remembered as MCP 2026-07-28 answered the 2025 way; it is 2025-only now');
      await this.verdicts.remember({ era: 'legacy' });
      return this.use({ client: 'modern', upstream: 'legacy' }).request(first);
    }
    const version = mutualModernVersion([declaredVersionOf(first.message)]);
    if (!remembered && !reply.failure && version) await this.verdicts.remember({ era: 'modern', version });
    return reply;
  }

  /** A 2025 client: server/discover with its identity and capabilities, then a session or a translation. */
  private async detectForLegacyClient(first: ClientRequest): Promise<Reply> {
    const client = clientOf(first);
    let detection = await this.discover(requestMeta(client));
    if ('verdict' in detection && detection.verdict.era === 'modern' && !detection.verdict.discovered) {
      // A corrective -32022 named another mutual version: ask again in it.
      detection = await this.discover(requestMeta(client, detection.verdict.version));
    }
    if ('failed' in detection) {
      // A probe that may have reached the server but got no answer (e.g. a gateway's bare 502) says nothing about the
      // era, and its failure is not the client's: the client's own request, sent the 2025 way, gets its real answer.
      if (detection.failed.tag !== 'MAY_HAVE_RUN') return failedReply(first.id, detection.failed);
      this.logger.debug('the era probe got no answer; sending the request the 2025 way', { error: detection.failed.detail });
      return (await this.legacyFirst(first)) ?? failedReply(first.id, detection.failed);
    }
    const { verdict } = detection;
    if (verdict.era === 'legacy') {
      const reply = await this.use({ client: 'legacy', upstream: 'legacy' }).request(first);
      if (!detection.malformed || !showsModernServer(reply)) return reply;
      // A server that refuses initialize the 2026-07-28 way but cannot answer server/discover is broken, not legacy.
      await this.verdicts.forget();
      this.link = undefined;
      return failedReply(first.id, detection.malformed);
    }
    if (!verdict.discovered) {
      const failure = new BridgeError('ERA_CONTRADICTION', `${this.host} refused server/discover in version ${verdict.version}, which it lists as supported.`);
      await this.verdicts.forget();
      return failedReply(first.id, failure);
    }
    const forgetEra = () => this.verdicts.forget();
    return this.use({ client: 'legacy', upstream: 'modern', version: verdict.version, discovered: verdict.discovered, forgetEra }).request(first);
  }

  private async discover(meta: Record<string, unknown>): Promise<Detection> {
    const id = bridgeRequestId('discover');
    return this.settle(readProbe(await this.probe.send(id, discoverRequest(id, meta)), this.host));
  }

  /** Remembers a lasting verdict (between processes too) before anyone acts on it. */
  private async settle(detection: Detection): Promise<Detection> {
    if ('verdict' in detection) {
      this.logger.info(`the MCP server speaks ${describe(detection.verdict)}`);
      if (detection.lasting) await this.verdicts.remember(detection.verdict);
    }
    return detection;
  }

  private get host(): string {
    return this.context.upstream.url.host;
  }
}

function describe(verdict: Verdict): string {
  return verdict.era === 'modern' ? `MCP ${verdict.version}` : 'MCP 2025 (initialize and sessions)';
}

/** The client's identity and capabilities from its initialize. */
function clientOf(initialize: ClientRequest): { capabilities?: Record<string, unknown>; clientInfo?: Record<string, unknown> } {
  const params = paramsOf(initialize.message) ?? {};
  return {
    capabilities: isJsonObject(params.capabilities) ? params.capabilities : undefined,
    clientInfo: isJsonObject(params.clientInfo) ? params.clientInfo : undefined,
  };
}

/** An answer to initialize that only a modern server gives (e.g. -32022 from a 2026-07-28-only SDK v2 server). */
function showsModernServer(reply: Reply): boolean {
  const error = rpcErrorOf(reply.message);
  const data = error && isJsonObject(error.data) ? error.data : undefined;
  const upstream = isJsonObject(data?.upstreamError) ? (data.upstreamError as unknown as RpcError) : undefined;
  return isModernError(error) || isModernError(upstream);
}
