import { randomUUID } from 'node:crypto';
import { Server, ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An item as the double keeps it (the fields of EvidenceItem the drills plugin reads). */
export interface DoubleItem {
  id: string;
  type: string;
  fileName: string;
  runId: string;
}

export interface DoubleCollectorRun {
  id: string;
  collector: string;
  state: 'running' | 'succeeded' | 'failed';
  error: string | null;
  /** GETs of the run still answered with `running`. */
  pollsLeft: number;
}

interface Fault {
  status: number;
  headers?: Record<string, string>;
  /** Absent: every request of the route. */
  times?: number;
}

/** A request the double received. */
export interface DoubleRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  idempotencyKey: string | undefined;
}

const fileNameOf = (id: string) =>
  `incident-drill-${id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100)}.json`;

/**
 * The evidence plugin's API as the drills plugin uses it, on a real HTTP
 * server: `GET /items`, `POST /collectors/incident-drills/runs` and
 * `GET /runs/:id`, with an in-memory list of items. Its incident drills
 * collector files one item for every finished run the test names that has
 * none yet. Faults, slow answers and a stopped server are the test's to set.
 */
/** Accept any bearer token. */
export const ANY_TOKEN = '*';

export class EvidenceApiDouble {
  readonly items: DoubleItem[] = [];
  readonly collectorRuns: DoubleCollectorRun[] = [];
  readonly requests: DoubleRequest[] = [];
  /** Finished drill runs, by id, that the collector would find. */
  readonly finishedRuns = new Set<string>();
  /** Polls a collector run answers `running` before it ends. */
  pollsUntilDone = 1;
  /** When set, collector runs fail with this error and file nothing. */
  collectorError: string | null = null;
  /** When true, collector runs never end. */
  collectorHangs = false;

  private readonly faults = new Map<string, Fault>();
  private readonly held = new Map<string, Array<Promise<void>>>();
  private server: Server;
  private port = 0;

  private constructor(private readonly token: string) {
    this.server = this.createServer();
  }

  /**
   * Starts on a free port of 127.0.0.1; requests must carry `Bearer <token>`
   * (any bearer token with `ANY_TOKEN`, e.g. a test backend's mock tokens).
   */
  static async start(token = 'test-token'): Promise<EvidenceApiDouble> {
    const double = new EvidenceApiDouble(token);
    await double.listen();
    return double;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/api/evidence`;
  }

  /** Stops listening and drops open connections: requests are refused. */
  async stop(): Promise<void> {
    const server = this.server;
    await new Promise<void>(resolve => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Listens again on the same port. */
  async restart(): Promise<void> {
    this.server = this.createServer();
    await this.listen();
  }

  /** Answers requests of `route` (e.g. `POST /collectors/incident-drills/runs`) with a fault. */
  fail(route: string, fault: Fault): void {
    this.faults.set(route, { ...fault });
  }

  /**
   * Holds the answer of the next request of `route` (computed when it
   * arrives) until the returned function is called.
   */
  holdNext(route: string): () => void {
    let release!: () => void;
    const gate = new Promise<void>(resolve => {
      release = resolve;
    });
    this.held.set(route, [...(this.held.get(route) ?? []), gate]);
    return release;
  }

  /** Resolves once `count` requests have arrived (fails after `ms`). */
  async waitForRequests(count: number, ms = 10_000): Promise<void> {
    const until = Date.now() + ms;
    while (this.requests.length < count) {
      if (Date.now() > until) {
        throw new Error(
          `Expected ${count} requests, received ${this.requests.length}`,
        );
      }
      await new Promise(resolve => setTimeout(resolve, 5));
    }
  }

  /** The requests as `METHOD /path` without the query, e.g. for toEqual. */
  routes(): string[] {
    return this.requests.map(r => `${r.method} ${r.path.split('?')[0]}`);
  }

  private async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  private createServer(): Server {
    return createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        this.handle(req.method ?? '', req.url ?? '', req.headers, res).catch(
          () => {
            res.statusCode = 500;
            res.end();
          },
        );
      });
    });
  }

  private async handle(
    method: string,
    rawUrl: string,
    headers: Record<string, string | string[] | undefined>,
    res: ServerResponse,
  ): Promise<void> {
    const url = new URL(rawUrl, 'http://double');
    const path = url.pathname.replace(/^\/api\/evidence/, '');
    this.requests.push({
      method,
      path: `${path}${url.search}`,
      authorization: headers.authorization as string | undefined,
      idempotencyKey: headers['idempotency-key'] as string | undefined,
    });
    const route = `${method} ${path.replace(/^\/runs\/[^/]+$/, '/runs/:id')}`;
    const answer = this.answer(route, url, headers);
    const gate = this.held.get(route)?.shift();
    if (gate) await gate;
    res.statusCode = answer.status;
    for (const [name, value] of Object.entries(answer.headers ?? {})) {
      res.setHeader(name, value);
    }
    if (answer.body !== undefined) {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answer.body));
    } else {
      res.end();
    }
  }

  private answer(
    route: string,
    url: URL,
    headers: Record<string, string | string[] | undefined>,
  ): { status: number; headers?: Record<string, string>; body?: unknown } {
    const authorization = String(headers.authorization ?? '');
    const accepted =
      this.token === ANY_TOKEN
        ? authorization.startsWith('Bearer ') && authorization.length > 7
        : authorization === `Bearer ${this.token}`;
    if (!accepted) {
      return { status: 401, body: { error: { name: 'AuthenticationError' } } };
    }
    const fault = this.faults.get(route);
    if (fault) {
      if (fault.times !== undefined && --fault.times <= 0) {
        this.faults.delete(route);
      }
      return { status: fault.status, headers: fault.headers };
    }
    switch (route) {
      case 'GET /items': {
        const type = url.searchParams.get('type');
        const q = url.searchParams.get('q')?.toLowerCase() ?? '';
        const limit = Number(url.searchParams.get('limit') ?? 25);
        // As the evidence plugin: q is at most 100 characters.
        if (q.length > 100) {
          return { status: 400, body: { error: { name: 'InputError' } } };
        }
        const matching = this.items.filter(
          item =>
            (!type || item.type === type) &&
            item.fileName.toLowerCase().includes(q),
        );
        return {
          status: 200,
          body: {
            items: matching.slice(0, limit),
            totalCount: matching.length,
            limit,
            offset: 0,
          },
        };
      }
      case 'POST /collectors/incident-drills/runs': {
        const run: DoubleCollectorRun = {
          id: randomUUID(),
          collector: 'incident-drills',
          state: 'running',
          error: null,
          pollsLeft: this.pollsUntilDone,
        };
        this.collectorRuns.push(run);
        return { status: 202, body: this.runBody(run) };
      }
      case 'GET /runs/:id': {
        const id = url.pathname.split('/').pop();
        const run = this.collectorRuns.find(r => r.id === id);
        if (!run) return { status: 404, body: { error: { name: 'NotFound' } } };
        if (run.state === 'running' && !this.collectorHangs) {
          if (run.pollsLeft > 0) {
            run.pollsLeft -= 1;
          } else {
            this.collect(run);
          }
        }
        return { status: 200, body: this.runBody(run) };
      }
      default:
        return { status: 404, body: { error: { name: 'NotFoundError' } } };
    }
  }

  /** Files every finished run that has no item yet, as the real collector does. */
  private collect(run: DoubleCollectorRun): void {
    if (this.collectorError) {
      run.state = 'failed';
      run.error = this.collectorError;
      return;
    }
    for (const runId of this.finishedRuns) {
      const fileName = fileNameOf(runId);
      if (!this.items.some(item => item.fileName === fileName)) {
        this.items.push({
          id: randomUUID(),
          type: 'incident-drill',
          fileName,
          runId,
        });
      }
    }
    run.state = 'succeeded';
  }

  private runBody(run: DoubleCollectorRun) {
    return {
      id: run.id,
      collector: run.collector,
      trigger: 'scaffolder',
      entityRef: null,
      requestedBy: 'service:drills',
      state: run.state,
      startedAt: new Date(0).toISOString(),
      finishedAt: run.state === 'running' ? null : new Date(0).toISOString(),
      itemCount: 0,
      error: run.error,
    };
  }
}
