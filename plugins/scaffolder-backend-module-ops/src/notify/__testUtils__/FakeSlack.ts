import {
  FakeHttpServer,
  FakeReply,
  FakeRequest,
  Json,
  isObject,
} from './FakeHttpServer';

export interface FakeSlackMessage {
  ts: string;
  channel: string;
  text: string;
  metadata?: { event_type: string; event_payload: Json };
}

const ok = (body: Json = {}): FakeReply => ({
  status: 200,
  body: { ok: true, ...body },
});
/** Slack answers most failures with HTTP 200 and `ok: false`. */
const fail = (error: string): FakeReply => ({
  status: 200,
  body: { ok: false, error },
});

/**
 * Slack Web API: `chat.postMessage` (JSON body) and `conversations.history`
 * (query arguments), with a bot token as `Authorization: Bearer`. Like
 * Slack: errors are HTTP 200 `{ok: false, error}` (`not_authed`,
 * `invalid_auth`, `channel_not_found`, `invalid_arguments`, ...); history is
 * newest first, at most `limit` messages, and includes message metadata
 * only with `include_all_metadata=true`. `rateLimitNext` answers HTTP 429
 * `ratelimited` with `Retry-After`.
 */
export class FakeSlack extends FakeHttpServer {
  readonly messages: FakeSlackMessage[] = [];
  private clock = 1_700_000_000;

  constructor(
    readonly token = 'xoxb-fake-secret-token',
    readonly channel = 'C0123456789',
  ) {
    super();
  }

  rateLimitNext(route: string, retryAfterSeconds: number): this {
    return this.failNext(route, 1, {
      status: 429,
      headers: { 'retry-after': String(retryAfterSeconds) },
      body: { ok: false, error: 'ratelimited' },
    });
  }

  /** Posts a message as someone else would (no metadata). */
  addMessage(text: string): void {
    this.messages.push({ ts: this.nextTs(), channel: this.channel, text });
  }

  protected routeOf(request: FakeRequest): string {
    return request.path.replace(/^\//, '');
  }

  protected malformed(): FakeReply {
    return fail('invalid_json');
  }

  protected handle(request: FakeRequest): FakeReply {
    const auth = request.headers.authorization;
    if (!auth) return fail('not_authed');
    if (auth !== `Bearer ${this.token}`) return fail('invalid_auth');
    if (request.route === 'chat.postMessage' && request.method === 'POST') {
      if (!/^application\/json/.test(String(request.headers['content-type']))) {
        return fail('invalid_form_data');
      }
      return this.post(isObject(request.body) ? request.body : {});
    }
    if (request.route === 'conversations.history' && request.method === 'GET') {
      return this.history(request.query);
    }
    return { status: 404, body: { ok: false, error: 'unknown_method' } };
  }

  private post(args: Json): FakeReply {
    if (args.channel !== this.channel) return fail('channel_not_found');
    if (typeof args.text !== 'string' || !args.text) return fail('no_text');
    const metadata = args.metadata;
    if (
      metadata !== undefined &&
      (!isObject(metadata) ||
        typeof metadata.event_type !== 'string' ||
        !isObject(metadata.event_payload))
    ) {
      return fail('invalid_metadata_format');
    }
    const message: FakeSlackMessage = {
      ts: this.nextTs(),
      channel: this.channel,
      text: args.text,
      ...(metadata && {
        metadata: metadata as FakeSlackMessage['metadata'],
      }),
    };
    this.messages.push(message);
    return ok({
      channel: this.channel,
      ts: message.ts,
      message: { type: 'message', text: message.text, ts: message.ts },
    });
  }

  private history(query: URLSearchParams): FakeReply {
    if (query.get('channel') !== this.channel) return fail('channel_not_found');
    const limit = Number(query.get('limit') ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 999) {
      return fail('invalid_limit');
    }
    const withMetadata = query.get('include_all_metadata') === 'true';
    const newestFirst = [...this.messages].reverse().slice(0, limit);
    return ok({
      messages: newestFirst.map(m => ({
        type: 'message',
        text: m.text,
        ts: m.ts,
        ...(withMetadata && m.metadata && { metadata: m.metadata }),
      })),
      has_more: this.messages.length > limit,
    });
  }

  private nextTs(): string {
    this.clock += 1;
    return `${this.clock}.000100`;
  }
}
