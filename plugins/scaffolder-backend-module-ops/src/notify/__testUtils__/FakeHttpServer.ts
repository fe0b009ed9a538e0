import {
  IncomingHttpHeaders,
  Server,
  ServerResponse,
  createServer,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  /** The fake's name for the call, e.g. `chat.postMessage`. */
  route: string;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface FakeReply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

type Fault =
  | { kind: 'reply'; reply: FakeReply }
  /** Acts on the request, then closes the connection without an answer. */
  | { kind: 'dropReply' };

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A vendor API on 127.0.0.1 (any free port). Subclasses name each request's
 * route and answer it; every request is logged in `requests`. Faults are
 * queued per route: a canned answer instead of acting (`failNext`), or
 * acting and then dropping the answer (`dropReplyNext`, a lost reply).
 */
export abstract class FakeHttpServer {
  readonly requests: FakeRequest[] = [];
  private readonly faults = new Map<string, Fault[]>();
  private readonly server: Server;
  private base = '';

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', c => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://fake');
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        let malformed = false;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          malformed = true;
        }
        const request: FakeRequest = {
          route: '',
          method: req.method ?? '',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body,
        };
        request.route = this.routeOf(request);
        this.requests.push(request);
        const fault = this.faults.get(request.route)?.shift();
        if (fault?.kind === 'reply') {
          this.send(res, fault.reply);
          return;
        }
        const reply = malformed ? this.malformed() : this.handle(request);
        if (fault?.kind === 'dropReply') {
          res.socket?.destroy();
          return;
        }
        this.send(res, reply);
      });
    });
  }

  protected abstract routeOf(request: FakeRequest): string;
  protected abstract handle(request: FakeRequest): FakeReply;
  protected abstract malformed(): FakeReply;

  async start(): Promise<this> {
    await new Promise<void>(resolve =>
      this.server.listen(0, '127.0.0.1', resolve),
    );
    this.base = `http://127.0.0.1:${
      (this.server.address() as AddressInfo).port
    }`;
    return this;
  }

  get url(): string {
    return this.base;
  }

  /** The next `count` requests of `route` get `reply` and are not acted on. */
  failNext(route: string, count: number, reply: FakeReply): this {
    for (let i = 0; i < count; i++) this.fault(route, { kind: 'reply', reply });
    return this;
  }

  /** The next request of `route` is acted on, but its answer is lost. */
  dropReplyNext(route: string): this {
    return this.fault(route, { kind: 'dropReply' });
  }

  /** How many requests of `route` were received. */
  count(route: string): number {
    return this.requests.filter(r => r.route === route).length;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise(resolve => this.server.close(resolve));
  }

  private fault(route: string, fault: Fault): this {
    this.faults.set(route, [...(this.faults.get(route) ?? []), fault]);
    return this;
  }

  private send(res: ServerResponse, reply: FakeReply) {
    const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      ...(text && { 'content-type': 'application/json; charset=utf-8' }),
      ...reply.headers,
    });
    res.end(text);
  }
}
