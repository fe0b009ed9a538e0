import { changeRecordRequestSchema } from '@internal/plugin-evidence-common';
import { randomUUID } from 'node:crypto';
import { Server, ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const error = (name: string, message: string) => ({ error: { name, message } });

function send(res: ServerResponse, status: number, payload: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(payload));
}

/** A `POST /changes` the fake received, and what it answered. */
export interface ChangesRequest {
  authorization?: string;
  idempotencyKey?: string;
  body: any;
  status: number;
}

/**
 * The evidence plugin's `POST /api/evidence/changes` on 127.0.0.1, as its
 * router answers it (plugins/evidence-backend/src/router.ts): 401 without a
 * bearer token, 400 `InputError` for a body `changeRecordRequestSchema`
 * refuses, 201 with the new item the first time a key is filed, 200 with
 * the same item after. `stop()` closes it (the plugin is down: connections
 * are refused); `start()` opens it again on a new port, keeping its items,
 * so `url` is read at each request.
 */
export class FakeEvidenceChanges {
  readonly requests: ChangesRequest[] = [];
  /** Filed items by change key. */
  readonly items = new Map<string, { id: string; body: unknown }>();
  /** The next `POST /changes` is filed, then its connection is dropped unanswered. */
  dropNextReply = false;
  private server?: Server;
  private base = '';

  static async start(): Promise<FakeEvidenceChanges> {
    return new FakeEvidenceChanges().start();
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', c => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = undefined;
        }
        const authorization = req.headers.authorization;
        const idempotencyKey = req.headers['idempotency-key'] as
          | string
          | undefined;
        const answer = (status: number, payload: unknown) => {
          this.requests.push({ authorization, idempotencyKey, body, status });
          send(res, status, payload);
        };
        if (req.method !== 'POST' || req.url !== '/api/evidence/changes') {
          answer(404, error('NotFoundError', 'Not found'));
          return;
        }
        if (!/^Bearer \S+$/.test(authorization ?? '')) {
          answer(401, error('AuthenticationError', 'Missing credentials'));
          return;
        }
        const parsed = changeRecordRequestSchema.safeParse(body);
        if (!parsed.success) {
          answer(400, error('InputError', parsed.error.issues[0].message));
          return;
        }
        const filed = this.items.get(parsed.data.key);
        const item = filed ?? { id: randomUUID(), body: parsed.data };
        this.items.set(parsed.data.key, item);
        if (this.dropNextReply) {
          this.dropNextReply = false;
          this.requests.push({
            authorization,
            idempotencyKey,
            body,
            status: 0,
          });
          res.socket?.destroy();
          return;
        }
        answer(filed ? 200 : 201, {
          id: item.id,
          criterion: 'CC8.1',
          source: 'change',
        });
      });
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  /** The evidence plugin's base URL, as discovery gives it. */
  get baseUrl(): string {
    return `${this.base}/api/evidence`;
  }

  /** How many changes it answered with `status`. */
  answered(status: number): number {
    return this.requests.filter(r => r.status === status).length;
  }

  /** Closes it: requests are refused until `start()`. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise(resolve => server.close(resolve));
  }
}
