import {
  FakeReply,
  FakeRequest,
  FakeVendorServer,
  Json,
  field,
  isObject,
} from './FakeVendorServer';

export interface FakeSlackMessage {
  ts: string;
  channel: string;
  text?: string;
  blocks?: unknown[];
  metadata?: Json;
  threadTs?: string;
  /** How often `chat.update` changed it. */
  edits: number;
}

const ok = (body: Json = {}): FakeReply => ({
  status: 200,
  body: { ok: true, ...body },
});
const fail = (error: string): FakeReply => ({
  status: 200,
  body: { ok: false, error },
});

/**
 * Slack Web API: `chat.postMessage`, `chat.update`, `chat.getPermalink`,
 * `conversations.history` and `conversations.replies`, with a Bearer bot
 * token. Like Slack, it answers HTTP 200 `{ok: false, error}` to wrong
 * requests and keeps message metadata, returned only with
 * `include_all_metadata=true`.
 */
export class FakeSlack extends FakeVendorServer {
  readonly messages: FakeSlackMessage[] = [];

  constructor(
    readonly token = 'xoxb-0000-secret-slack-token',
    readonly channel = 'C0123456789',
  ) {
    super();
  }

  /** Top-level messages (not thread replies). */
  get posts(): FakeSlackMessage[] {
    return this.messages.filter(m => !m.threadTs);
  }

  repliesTo(ts: string): FakeSlackMessage[] {
    return this.messages.filter(m => m.threadTs === ts);
  }

  protected badRequest(message: string): FakeReply {
    return fail(message === 'malformed JSON body' ? 'invalid_json' : message);
  }

  protected handle(request: FakeRequest): FakeReply {
    const auth = request.headers.authorization;
    if (!auth) {
      return fail('not_authed');
    }
    if (auth !== `Bearer ${this.token}`) {
      return fail('invalid_auth');
    }
    const method = request.path.replace(/^\//, '');
    if (
      request.method === 'POST' &&
      !/^application\/json/.test(String(request.headers['content-type']))
    ) {
      return fail('invalid_form_data');
    }
    let args: Json = Object.fromEntries(request.query);
    if (request.method === 'POST') {
      args = isObject(request.body) ? request.body : {};
    }
    if (args.channel !== this.channel) {
      return fail('channel_not_found');
    }
    switch (`${request.method} ${method}`) {
      case 'POST chat.postMessage':
        return this.post(args);
      case 'POST chat.update':
        return this.update(args);
      case 'GET chat.getPermalink':
        return this.permalink(args);
      case 'GET conversations.history':
        return this.history(args);
      case 'GET conversations.replies':
        return this.replies(args);
      default:
        return { status: 404, body: { ok: false, error: 'unknown_method' } };
    }
  }

  private checkMessage(args: Json): string | undefined {
    if (
      (typeof args.text !== 'string' || !args.text) &&
      !Array.isArray(args.blocks)
    ) {
      return 'no_text';
    }
    if (args.blocks !== undefined) {
      if (!Array.isArray(args.blocks) || args.blocks.length > 50) {
        return 'invalid_blocks';
      }
      for (const block of args.blocks) {
        if (!isObject(block) || typeof block.type !== 'string') {
          return 'invalid_blocks';
        }
        if (block.type === 'header') {
          const text = field(block, 'text.text');
          if (
            field(block, 'text.type') !== 'plain_text' ||
            typeof text !== 'string' ||
            text.length > 150
          ) {
            return 'invalid_blocks';
          }
        }
        if (block.type === 'section' && Array.isArray(block.fields)) {
          if (
            block.fields.length > 10 ||
            block.fields.some(f => typeof field(f, 'text') !== 'string')
          ) {
            return 'invalid_blocks';
          }
        }
        if (block.type === 'actions') {
          const elements = Array.isArray(block.elements) ? block.elements : [];
          if (
            !elements.length ||
            elements.some(
              e =>
                field(e, 'type') !== 'button' ||
                String(field(e, 'text.text') ?? '').length > 75 ||
                typeof field(e, 'url') !== 'string',
            )
          ) {
            return 'invalid_blocks';
          }
        }
      }
    }
    if (args.metadata !== undefined) {
      if (
        typeof field(args.metadata, 'event_type') !== 'string' ||
        !isObject(field(args.metadata, 'event_payload'))
      ) {
        return 'invalid_metadata_format';
      }
    }
    return undefined;
  }

  private post(args: Json): FakeReply {
    const error = this.checkMessage(args);
    if (error) {
      return fail(error);
    }
    if (
      args.thread_ts !== undefined &&
      !this.posts.some(m => m.ts === args.thread_ts)
    ) {
      return fail('thread_not_found');
    }
    const n = this.messages.length + 1;
    const message: FakeSlackMessage = {
      ts: `${1764670000 + n}.${String(n).padStart(6, '0')}`,
      channel: this.channel,
      text: args.text as string | undefined,
      blocks: args.blocks as unknown[] | undefined,
      metadata: args.metadata as Json | undefined,
      threadTs: args.thread_ts as string | undefined,
      edits: 0,
    };
    this.messages.push(message);
    return ok({
      channel: this.channel,
      ts: message.ts,
      message: this.show(message, true),
    });
  }

  private update(args: Json): FakeReply {
    const message = this.messages.find(m => m.ts === args.ts);
    if (!message) {
      return fail('message_not_found');
    }
    const error = this.checkMessage(args);
    if (error) {
      return fail(error);
    }
    message.text = args.text as string | undefined;
    message.blocks = args.blocks as unknown[] | undefined;
    message.edits += 1;
    return ok({ channel: this.channel, ts: message.ts, text: message.text });
  }

  private permalink(args: Json): FakeReply {
    const message = this.messages.find(m => m.ts === args.message_ts);
    if (!message) {
      return fail('message_not_found');
    }
    return ok({
      channel: this.channel,
      permalink: `https://example.slack.com/archives/${
        this.channel
      }/p${message.ts.replace('.', '')}`,
    });
  }

  private history(args: Json): FakeReply {
    const limit = Number(args.limit ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 999) {
      return fail('invalid_limit');
    }
    const withMetadata = args.include_all_metadata === 'true';
    const messages = [...this.posts].reverse().slice(0, limit);
    return ok({
      messages: messages.map(m => this.show(m, withMetadata)),
      has_more: this.posts.length > limit,
    });
  }

  private replies(args: Json): FakeReply {
    const parent = this.posts.find(m => m.ts === args.ts);
    if (!parent) {
      return fail('thread_not_found');
    }
    const withMetadata = args.include_all_metadata === 'true';
    return ok({
      messages: [parent, ...this.repliesTo(parent.ts)].map(m =>
        this.show(m, withMetadata),
      ),
      has_more: false,
    });
  }

  private show(message: FakeSlackMessage, withMetadata: boolean): Json {
    return {
      type: 'message',
      ts: message.ts,
      text: message.text,
      blocks: message.blocks,
      ...(message.threadTs && { thread_ts: message.threadTs }),
      ...(withMetadata && message.metadata && { metadata: message.metadata }),
    };
  }
}
