import {
  IncomingHttpHeaders,
  Server,
  ServerResponse,
  createServer,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request a fake vendor received. */
export interface FakeRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** What a fake answers. */
export interface FakeReply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** The body parts a fake checks; `undefined` means missing. */
export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `a.b.c` of a JSON body, or undefined. */
export function field(body: unknown, path: string): unknown {
  let value: unknown = body;
  for (const part of path.split('.')) {
    if (!isObject(value)) {
      return undefined;
    }
    value = value[part];
  }
  return value;
}

/**
 * A local HTTP server standing in for a vendor API. Subclasses check each
 * request against the vendor's documented shape in `handle` and keep what
 * they created. Every request is logged in `requests`; `failNext` makes the
 * next requests fail before they reach `handle`.
 */
export abstract class FakeVendorServer {
  readonly requests: FakeRequest[] = [];
  private readonly failures: FakeReply[] = [];
  private readonly server: Server;
  private address = '';

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', chunk => chunks.push(chunk));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const url = new URL(req.url ?? '/', 'http://fake');
        let body: unknown = undefined;
        let malformed = false;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          malformed = true;
        }
        const request: FakeRequest = {
          method: req.method ?? '',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body,
        };
        this.requests.push(request);
        const failure = this.failures.shift();
        let reply: FakeReply;
        if (failure) {
          reply = failure;
        } else if (malformed) {
          reply = this.badRequest('malformed JSON body');
        } else {
          try {
            reply = this.handle(request);
          } catch (error) {
            reply = { status: 500, body: { message: String(error) } };
          }
        }
        this.send(res, reply);
      });
    });
  }

  /** Answers a request that passed the injected failures. */
  protected abstract handle(request: FakeRequest): FakeReply;

  /** The vendor's answer to a request of the wrong shape. */
  protected abstract badRequest(message: string): FakeReply;

  async start(): Promise<this> {
    await new Promise<void>(resolve =>
      this.server.listen(0, '127.0.0.1', () => resolve()),
    );
    const { port } = this.server.address() as AddressInfo;
    this.address = `http://127.0.0.1:${port}`;
    return this;
  }

  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  get url(): string {
    return this.address;
  }

  /**
   * The next `count` requests are answered with `status` (default 429) and,
   * when given, a `Retry-After` header, without being acted on.
   */
  failNext(
    count: number,
    options: { status?: number; retryAfter?: string; body?: unknown } = {},
  ): this {
    for (let i = 0; i < count; i++) {
      this.failures.push({
        status: options.status ?? 429,
        headers: options.retryAfter
          ? { 'retry-after': options.retryAfter }
          : undefined,
        body: options.body ?? { message: 'failure injected by the test' },
      });
    }
    return this;
  }

  /** Requests as `METHOD /path`, for assertions. */
  calls(): string[] {
    return this.requests.map(r => `${r.method} ${r.path}`);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise(resolve => this.server.close(resolve));
  }

  private send(res: ServerResponse, reply: FakeReply) {
    const headers: Record<string, string> = { ...reply.headers };
    const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
    if (text) {
      headers['content-type'] = 'application/json; charset=utf-8';
    }
    res.writeHead(reply.status, headers);
    res.end(text);
  }
}

/** Names the fields of `body` (dotted paths) that are not non-empty strings. */
export function missingStrings(body: unknown, paths: string[]): string[] {
  return paths.filter(path => {
    const value = field(body, path);
    return typeof value !== 'string' || !value;
  });
}

/** True when `header` is `<scheme> <secret>`. */
export function hasAuth(
  headers: IncomingHttpHeaders,
  expected: string,
): boolean {
  return headers.authorization === expected;
}

/** An ADF document: `{type: 'doc', version: 1, content: [...]}`. */
export function isAdf(value: unknown): boolean {
  return (
    isObject(value) &&
    value.type === 'doc' &&
    value.version === 1 &&
    Array.isArray(value.content)
  );
}

/** All `text` of an ADF document, joined with spaces. */
export function adfText(value: unknown): string {
  if (Array.isArray(value)) {
    return value.map(adfText).join(' ');
  }
  if (!isObject(value)) {
    return '';
  }
  const own = typeof value.text === 'string' ? value.text : '';
  const marks = Array.isArray(value.marks)
    ? value.marks
        .map(mark => field(mark, 'attrs.href'))
        .filter((href): href is string => typeof href === 'string')
    : [];
  return [own, ...marks, adfText(value.content)].filter(Boolean).join(' ');
}
