/* eslint jest/no-standalone-expect: ['error', { additionalTestBlockFunctions: ['pgOnly'] }] */
import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { ConflictError, NotFoundError } from '@backstage/errors';
import knexFactory, { Knex } from 'knex';
import {
  IncomingHttpHeaders,
  Server,
  ServerResponse,
  createServer,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  NewDelivery,
  Outbox,
  OutboxDeliverer,
  OutboxLogger,
  OutboxWorker,
  OutboxWorkerOptions,
  createOutboxTable,
  dropOutboxTable,
  httpDeliverer,
} from './index';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const TABLE = 'test_outbox';
const T0 = Date.parse('2026-11-26T10:00:00.000Z');
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const iso = (ms: number) => new Date(ms).toISOString();

// ---------------------------------------------------------------------------
// A real HTTP receiver on 127.0.0.1 whose replies each test scripts.

interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** A reply, or one that waits (for a gate the test opens). */
type Script = Reply | (() => Promise<Reply>);

class Receiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly script: Script[] = [];
  private fallback: Script = { status: 200 };
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  private readonly server: Server;
  private address = '';

  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', chunk => chunks.push(chunk));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        this.received(
          {
            method: req.method ?? '',
            path: req.url ?? '',
            headers: req.headers,
            body: text ? JSON.parse(text) : undefined,
          },
          res,
        );
      });
    });
  }

  static async start(): Promise<Receiver> {
    const receiver = new Receiver();
    await new Promise<void>(resolve =>
      receiver.server.listen(0, '127.0.0.1', () => resolve()),
    );
    const { port } = receiver.server.address() as AddressInfo;
    receiver.address = `http://127.0.0.1:${port}`;
    return receiver;
  }

  get url(): string {
    return this.address;
  }

  /** Replies to the next requests in order; after them, `always`'s reply. */
  reply(...replies: Script[]): this {
    this.script.push(...replies);
    return this;
  }

  always(reply: Script): this {
    this.fallback = reply;
    return this;
  }

  /** Resolves once `count` requests have arrived in all (fails after `ms`). */
  waitForRequests(count: number, ms = 10_000): Promise<void> {
    if (this.requests.length >= count) {
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `Expected ${count} requests, received ${this.requests.length}`,
            ),
          ),
        ms,
      );
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  keys(): string[] {
    return this.requests.map(r => String(r.headers['idempotency-key']));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise(resolve => this.server.close(resolve));
  }

  private async received(request: ReceivedRequest, res: ServerResponse) {
    this.requests.push(request);
    this.waiters = this.waiters.filter(waiter => {
      if (this.requests.length >= waiter.count) {
        waiter.resolve();
        return false;
      }
      return true;
    });
    const next = this.script.shift() ?? this.fallback;
    const reply = typeof next === 'function' ? await next() : next;
    res.writeHead(reply.status, reply.headers);
    res.end(reply.body ?? '');
  }
}

function gate<T>() {
  let open!: (value: T) => void;
  const opened = new Promise<T>(resolve => (open = resolve));
  return { open, opened };
}

const receivers: Receiver[] = [];
async function startReceiver() {
  const receiver = await Receiver.start();
  receivers.push(receiver);
  return receiver;
}
afterEach(async () => {
  await Promise.all(receivers.splice(0).map(r => r.close()));
});

// ---------------------------------------------------------------------------

/** A clock the test moves by hand. */
class TestClock {
  constructor(public ms: number) {}
  now = () => new Date(this.ms);
  advance(ms: number) {
    this.ms += ms;
  }
}

function hook(
  receiver: Receiver,
  key: string,
  body: unknown = { summary: `ticket for ${key}` },
): NewDelivery {
  return {
    idempotencyKey: key,
    target: 'http',
    payload: { url: `${receiver.url}/hooks/${key}`, body },
  };
}

async function setup(databaseId: TestDatabaseId) {
  const knex = await databases.init(databaseId);
  await createOutboxTable(knex, TABLE);
  // Stands for the plugin's own data, changed in the same transaction.
  await knex.schema.createTable('test_alerts', table => {
    table.string('id').primary();
  });
  const clock = new TestClock(T0);
  const outbox = new Outbox({ db: knex, table: TABLE, now: clock.now });
  const worker = (options: Partial<OutboxWorkerOptions> = {}) =>
    new OutboxWorker({
      outbox,
      deliverers: { http: httpDeliverer() },
      now: clock.now,
      random: () => 0,
      ...options,
    });
  return { knex, outbox, clock, worker };
}

/** Enqueues in a transaction that also records the alert, as a plugin would. */
async function raiseAlert(
  knex: Knex,
  outbox: Outbox,
  alertId: string,
  deliveries: NewDelivery[],
) {
  await knex.transaction(async trx => {
    await trx('test_alerts').insert({ id: alertId });
    await outbox.enqueue(deliveries, trx);
  });
}

async function only(outbox: Outbox) {
  const page = await outbox.list();
  expect(page.totalCount).toBe(1);
  return page.items[0];
}

const isPg = (databaseId: TestDatabaseId) => databaseId.startsWith('POSTGRES');

describe.each(databases.eachSupportedId())('Outbox on %p', databaseId => {
  it('delivers a committed delivery once, with its idempotency key', async () => {
    const { knex, outbox, clock, worker } = await setup(databaseId);
    const receiver = await startReceiver();
    await raiseAlert(knex, outbox, 'a1', [
      {
        idempotencyKey: 'alert:a1:opened',
        target: 'http',
        payload: {
          url: `${receiver.url}/rest/api/2/issue`,
          method: 'PUT',
          headers: { 'x-team': 'payments' },
          body: { summary: 'SLO burn', labels: ['slo'] },
        },
      },
    ]);

    expect(await worker().deliverDue()).toEqual({
      claimed: 1,
      delivered: 1,
      retrying: 0,
      dead: 0,
      leaseLost: 0,
    });
    expect(receiver.requests).toEqual([
      {
        method: 'PUT',
        path: '/rest/api/2/issue',
        headers: expect.objectContaining({
          'idempotency-key': 'alert:a1:opened',
          'content-type': 'application/json',
          'x-team': 'payments',
        }),
        body: { summary: 'SLO burn', labels: ['slo'] },
      },
    ]);
    expect(await only(outbox)).toEqual({
      id: expect.any(Number),
      idempotencyKey: 'alert:a1:opened',
      target: 'http',
      payload: expect.objectContaining({ method: 'PUT' }),
      state: 'delivered',
      attempts: 1,
      nextAttemptAt: iso(T0),
      lockedUntil: null,
      lastError: null,
      lastStatus: 200,
      createdAt: iso(T0),
      deliveredAt: iso(T0),
    });

    // A restart, a day later: nothing delivered is sent again.
    clock.advance(DAY);
    expect((await worker().deliverDue()).claimed).toBe(0);
    expect(receiver.requests).toHaveLength(1);
  });

  it('delivers nothing from a transaction that rolled back', async () => {
    const { knex, outbox, clock, worker } = await setup(databaseId);
    const receiver = await startReceiver();

    await expect(
      knex.transaction(async trx => {
        await trx('test_alerts').insert({ id: 'a1' });
        await outbox.enqueue([hook(receiver, 'alert:a1:opened')], trx);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');

    expect(await outbox.list()).toEqual({
      items: [],
      totalCount: 0,
      limit: 25,
      offset: 0,
    });
    clock.advance(HOUR);
    expect((await worker().deliverDue()).claimed).toBe(0);
    expect(receiver.requests).toHaveLength(0);
  });

  it('creates and delivers a duplicate key once', async () => {
    const { knex, outbox, clock, worker } = await setup(databaseId);
    const receiver = await startReceiver();

    expect(
      await outbox.enqueue(
        [hook(receiver, 'k1'), hook(receiver, 'k1', { other: true })],
        knex,
      ),
    ).toBe(1);
    await knex.transaction(async trx => {
      expect(await outbox.enqueue([hook(receiver, 'k1')], trx)).toBe(0);
    });
    expect((await worker().deliverDue()).delivered).toBe(1);

    // Not even after it was delivered.
    expect(await outbox.enqueue([hook(receiver, 'k1')], knex)).toBe(0);
    clock.advance(HOUR);
    expect((await worker().deliverDue()).claimed).toBe(0);
    expect(receiver.keys()).toEqual(['k1']);
    expect(receiver.requests[0].body).toEqual({ summary: 'ticket for k1' });
  });

  it('counts deliveries by target in one state', async () => {
    const { knex, outbox, worker } = await setup(databaseId);
    const receiver = await startReceiver();
    const other = (key: string) => ({
      ...hook(receiver, key),
      target: 'pager',
    });
    await outbox.enqueue(
      [hook(receiver, 'a'), hook(receiver, 'b'), other('c')],
      knex,
    );
    expect(await outbox.countByTarget()).toEqual(
      expect.arrayContaining([
        { target: 'http', count: 2 },
        { target: 'pager', count: 1 },
      ]),
    );
    // Only the http deliverer exists: its two are delivered, the pager one waits.
    await worker().deliverDue();
    expect(await outbox.countByTarget('pending')).toEqual([
      { target: 'pager', count: 1 },
    ]);
    expect(await outbox.countByTarget('delivered')).toEqual([
      { target: 'http', count: 2 },
    ]);
  });

  it('retries a 503 with exponential backoff until it is delivered', async () => {
    const { knex, outbox, clock, worker } = await setup(databaseId);
    const receiver = await startReceiver();
    receiver.reply({ status: 503 }, { status: 503 }, { status: 200 });
    await outbox.enqueue([hook(receiver, 'k1')], knex);
    const w = worker();

    expect((await w.deliverDue()).retrying).toBe(1);
    expect(await only(outbox)).toMatchObject({
      state: 'pending',
      attempts: 1,
      lastStatus: 503,
      lastError: 'HTTP 503',
      lockedUntil: null,
      nextAttemptAt: iso(T0 + SECOND),
    });

    clock.advance(SECOND - 1);
    expect((await w.deliverDue()).claimed).toBe(0);
    clock.advance(1);
    expect((await w.deliverDue()).retrying).toBe(1);
    expect(await only(outbox)).toMatchObject({
      attempts: 2,
      nextAttemptAt: iso(T0 + 3 * SECOND),
    });

    clock.advance(2 * SECOND);
    expect((await w.deliverDue()).delivered).toBe(1);
    expect(await only(outbox)).toMatchObject({
      state: 'delivered',
      attempts: 3,
      lastStatus: 200,
      lastError: 'HTTP 503',
      deliveredAt: iso(T0 + 3 * SECOND),
    });
    expect(receiver.keys()).toEqual(['k1', 'k1', 'k1']);
  });

  it('waits as long as a 429 Retry-After in seconds asks', async () => {
    const { knex, outbox, clock, worker } = await setup(databaseId);
    const receiver = await startReceiver();
    receiver.reply({ status: 429, headers: { 'retry-after': '120' } });
    await outbox.enqueue([hook(receiver, 'k1')], knex);
    const w = worker();

    expect((await w.deliverDue()).retrying).toBe(1);
    expect(await only(outbox)).toMatchObject({
      state: 'pending',
      lastStatus: 429,
      nextAttemptAt: iso(T0 + 120 * SECOND),
    });
    clock.advance(120 * SECOND - 1);
    expect((await w.deliverDue()).claimed).toBe(0);
    clock.advance(1);
    expect((await w.deliverDue()).delivered).toBe(1);
    expect(receiver.requests).toHaveLength(2);
  });

  it('waits until a Retry-After HTTP-date', async () => {
    const { knex, outbox, worker } = await setup(databaseId);
    const receiver = await startReceiver();
    const at = new Date(T0 + 5 * MINUTE).toUTCString();
    receiver.reply({ status: 503, headers: { 'retry-after': at } });
    await outbox.enqueue([hook(receiver, 'k1')], knex);

    expect((await worker().deliverDue()).retrying).toBe(1);
    expect((await only(outbox)).nextAttemptAt).toBe(iso(T0 + 5 * MINUTE));
  });

  it('dead-letters a 400 at once', async () => {
    const { knex, outbox, clock, worker } = await setup(databaseId);
    const receiver = await startReceiver();
    receiver.always({ status: 400, body: 'field email: alice@example.com' });
    await outbox.enqueue([hook(receiver, 'k1')], knex);

    expect((await worker().deliverDue()).dead).toBe(1);
    expect(await only(outbox)).toMatchObject({
      state: 'dead',
      attempts: 1,
      lastStatus: 400,
      lastError: 'HTTP 400',
      lockedUntil: null,
      deliveredAt: null,
    });
    clock.advance(30 * DAY);
    expect((await worker().deliverDue()).claimed).toBe(0);
    expect(receiver.requests).toHaveLength(1);
  });

  it('dead-letters after maxAttempts transient failures', async () => {
    const { knex, outbox, clock, worker } = await setup(databaseId);
    const receiver = await startReceiver();
    receiver.always({ status: 500 });
    await outbox.enqueue([hook(receiver, 'k1')], knex);
    const w = worker({ maxAttempts: 3 });

    const runs = [];
    for (let i = 0; i < 4; i++) {
      runs.push(await w.deliverDue());
      clock.advance(HOUR);
    }
    expect(runs.map(r => [r.claimed, r.retrying, r.dead])).toEqual([
      [1, 1, 0],
      [1, 1, 0],
      [1, 0, 1],
      [0, 0, 0],
    ]);
    expect(await only(outbox)).toMatchObject({
      state: 'dead',
      attempts: 3,
      lastStatus: 500,
    });
    expect(receiver.requests).toHaveLength(3);
  });

  it('retries a network error and dead-letters an invalid payload', async () => {
    const { knex, outbox, worker } = await setup(databaseId);
    const closed = await startReceiver();
    await closed.close();
    await outbox.enqueue(
      [
        hook(closed, 'refused'),
        { idempotencyKey: 'no-url', target: 'http', payload: { body: {} } },
        {
          idempotencyKey: 'bad-header',
          target: 'http',
          payload: {
            url: `${closed.url}/x`,
            headers: { 'x-a': 'one\ntwo' },
            body: {},
          },
        },
        {
          idempotencyKey: 'ftp',
          target: 'http',
          payload: { url: 'ftp://127.0.0.1/x', body: {} },
        },
      ],
      knex,
    );

    expect(await worker().deliverDue()).toMatchObject({
      claimed: 4,
      retrying: 1,
      dead: 3,
    });
    const byKey = Object.fromEntries(
      (await outbox.list()).items.map(d => [d.idempotencyKey, d]),
    );
    expect(byKey.refused).toMatchObject({
      state: 'pending',
      lastStatus: null,
      lastError: 'HTTP request failed: ECONNREFUSED',
      nextAttemptAt: iso(T0 + SECOND),
    });
    expect(byKey['no-url']).toMatchObject({
      state: 'dead',
      lastError: 'Invalid HTTP delivery payload (url)',
    });
    expect(byKey['bad-header']).toMatchObject({
      state: 'dead',
      lastError: 'Invalid HTTP delivery payload (headers)',
    });
    expect(byKey.ftp).toMatchObject({
      state: 'dead',
      lastError: 'Invalid HTTP delivery payload (url)',
    });
  });

  it('adds send-time headers and keeps the idempotency key its own', async () => {
    const { knex, outbox, worker } = await setup(databaseId);
    const receiver = await startReceiver();
    await outbox.enqueue(
      [
        {
          idempotencyKey: 'k1',
          target: 'http',
          payload: {
            url: `${receiver.url}/api/evidence`,
            headers: { 'idempotency-key': 'forged', authorization: 'stale' },
            body: { criterion: 'CC7.4' },
          },
        },
      ],
      knex,
    );
    const seen: string[] = [];
    const w = worker({
      deliverers: {
        http: httpDeliverer({
          headers: ({ url, target }) => {
            seen.push(`${target} ${url.pathname}`);
            return { authorization: 'Bearer fresh' };
          },
        }),
      },
    });

    expect((await w.deliverDue()).delivered).toBe(1);
    expect(seen).toEqual(['http /api/evidence']);
    expect(receiver.requests[0].headers).toMatchObject({
      'idempotency-key': 'k1',
      authorization: 'Bearer fresh',
    });
  });

  it('retries an attempt that timed out', async () => {
    const { knex, outbox, worker } = await setup(databaseId);
    const receiver = await startReceiver();
    const held = gate<Reply>();
    receiver.reply(() => held.opened);
    await outbox.enqueue([hook(receiver, 'k1')], knex);

    const w = worker({
      deliverers: { http: httpDeliverer({ timeoutMs: 50 }) },
    });
    expect((await w.deliverDue()).retrying).toBe(1);
    held.open({ status: 200 });
    expect(await only(outbox)).toMatchObject({
      state: 'pending',
      lastError: 'HTTP request timed out after 50 ms',
    });
  });

  it('delivers a dead delivery again after retry()', async () => {
    const { knex, outbox, clock, worker } = await setup(databaseId);
    const receiver = await startReceiver();
    receiver.reply({ status: 404 });
    await outbox.enqueue([hook(receiver, 'k1')], knex);
    expect((await worker().deliverDue()).dead).toBe(1);
    const dead = await only(outbox);

    clock.advance(DAY);
    expect(await outbox.retry(dead.id)).toMatchObject({
      id: dead.id,
      state: 'pending',
      attempts: 0,
      nextAttemptAt: iso(T0 + DAY),
    });
    await expect(outbox.retry(dead.id)).rejects.toThrow(ConflictError);

    expect((await worker().deliverDue()).delivered).toBe(1);
    expect(await only(outbox)).toMatchObject({
      state: 'delivered',
      attempts: 1,
      lastStatus: 200,
    });
    expect(receiver.keys()).toEqual(['k1', 'k1']);
    await expect(outbox.retry(dead.id)).rejects.toThrow(ConflictError);
    await expect(outbox.retry(dead.id + 1000)).rejects.toThrow(NotFoundError);
  });

  it('claims again, with the same key, a delivery whose lease expired mid-attempt', async () => {
    const { knex, outbox, clock, worker } = await setup(databaseId);
    const receiver = await startReceiver();
    const firstReply = gate<Reply>();
    const secondReply = gate<Reply>();
    receiver.reply(
      () => firstReply.opened,
      () => secondReply.opened,
    );
    await outbox.enqueue([hook(receiver, 'alert:a1:opened')], knex);

    // The first worker's process hangs (or dies) mid-attempt.
    const hung = worker({ leaseMs: MINUTE }).deliverDue();
    await receiver.waitForRequests(1);
    expect(await only(outbox)).toMatchObject({
      state: 'pending',
      attempts: 1,
      lockedUntil: iso(T0 + MINUTE),
    });

    const restarted = worker({ leaseMs: MINUTE });
    clock.advance(MINUTE - 1);
    expect((await restarted.deliverDue()).claimed).toBe(0);
    clock.advance(1);
    const second = restarted.deliverDue();
    await receiver.waitForRequests(2);
    expect(receiver.keys()).toEqual(['alert:a1:opened', 'alert:a1:opened']);

    // The first attempt ends after all: only the lease holder records an
    // outcome, so its failure neither reschedules nor unlocks the delivery.
    firstReply.open({ status: 503 });
    expect(await hung).toMatchObject({ claimed: 1, leaseLost: 1 });
    expect(await only(outbox)).toMatchObject({
      state: 'pending',
      attempts: 2,
      lastError: null,
      lockedUntil: iso(T0 + 2 * MINUTE),
    });

    secondReply.open({ status: 201 });
    expect(await second).toMatchObject({ claimed: 1, delivered: 1 });
    expect(await only(outbox)).toMatchObject({
      state: 'delivered',
      attempts: 2,
      lastStatus: 201,
      lockedUntil: null,
      deliveredAt: iso(T0 + MINUTE),
    });

    // A restart a day later sends nothing again.
    clock.advance(DAY);
    expect((await worker().deliverDue()).claimed).toBe(0);
    expect(receiver.requests).toHaveLength(2);
  });

  it('dead-letters, without sending again, a delivery whose last attempt lost its lease', async () => {
    const { knex, outbox, clock, worker } = await setup(databaseId);
    const receiver = await startReceiver();
    const firstReply = gate<Reply>();
    receiver.reply(() => firstReply.opened);
    await outbox.enqueue([hook(receiver, 'k1')], knex);

    const hung = worker({ maxAttempts: 1, leaseMs: MINUTE }).deliverDue();
    await receiver.waitForRequests(1);
    clock.advance(MINUTE);
    expect(
      await worker({ maxAttempts: 1, leaseMs: MINUTE }).deliverDue(),
    ).toMatchObject({ claimed: 1, dead: 1 });
    firstReply.open({ status: 503 });
    expect(await hung).toMatchObject({ leaseLost: 1 });

    expect(await only(outbox)).toMatchObject({
      state: 'dead',
      attempts: 2,
      lastError: 'lease expired during the last attempt',
    });
    expect(receiver.requests).toHaveLength(1);
  });

  it('delivers each row exactly once with two workers running at once', async () => {
    const { knex, outbox, worker } = await setup(databaseId);
    const receiver = await startReceiver();
    // On PostgreSQL the second worker has its own connection pool, as
    // another process would; SQLite serializes the two on one connection.
    const otherKnex = isPg(databaseId)
      ? knexFactory({
          client: knex.client.config.client,
          connection: knex.client.config.connection,
          pool: { min: 0, max: 5 },
        })
      : knex;
    try {
      const keys = Array.from({ length: 50 }, (_, i) => `k${i}`);
      await outbox.enqueue(
        keys.map(key => hook(receiver, key)),
        knex,
      );
      const first = worker({ batchSize: 10 });
      const second = worker({
        batchSize: 10,
        outbox: new Outbox({
          db: otherKnex,
          table: TABLE,
          now: () => new Date(T0),
        }),
      });

      // Both claim at once; no reply goes out until both batches arrived,
      // so neither can finish and claim a second batch first.
      const bothBatches = gate<void>();
      receiver.always(() => bothBatches.opened.then(() => ({ status: 200 })));
      const firstRuns = Promise.all([first.deliverDue(), second.deliverDue()]);
      try {
        await receiver.waitForRequests(20);
      } finally {
        bothBatches.open();
      }
      const runs = await firstRuns;
      expect(runs.map(r => r.delivered)).toEqual([10, 10]);

      // Then both drain the rest concurrently.
      const drain = async (w: OutboxWorker) => {
        let delivered = 0;
        for (;;) {
          const run = await w.deliverDue();
          if (!run.claimed) return delivered;
          delivered += run.delivered;
        }
      };
      const drained = await Promise.all([drain(first), drain(second)]);
      expect(drained[0] + drained[1]).toBe(30);

      expect(receiver.requests).toHaveLength(50);
      expect([...receiver.keys()].sort()).toEqual([...keys].sort());
      expect((await outbox.list({ state: 'delivered' })).totalCount).toBe(50);
    } finally {
      if (otherKnex !== knex) {
        await otherKnex.destroy();
      }
    }
  });

  // Deterministic counterpart of the race above: a row another worker's
  // claim has locked is skipped at once, not waited for nor taken twice.
  const pgOnly = isPg(databaseId) ? it : it.skip;
  pgOnly(
    'skips rows another claim holds locked (FOR UPDATE SKIP LOCKED)',
    async () => {
      const { knex, outbox, worker } = await setup(databaseId);
      const receiver = await startReceiver();
      await outbox.enqueue(
        ['k0', 'k1', 'k2'].map(key => hook(receiver, key)),
        knex,
      );
      const otherProcess = await knex.transaction();
      try {
        await otherProcess(TABLE)
          .where({ idempotency_key: 'k1' })
          .forUpdate()
          .select('id');
        const run = await Promise.race([
          worker().deliverDue(),
          new Promise<never>((_, reject) =>
            setTimeout(
              () => reject(new Error('the claim waited for a locked row')),
              5000,
            ).unref(),
          ),
        ]);
        expect(run).toMatchObject({ claimed: 2, delivered: 2 });
        expect(receiver.keys()).toEqual(['k0', 'k2']);
      } finally {
        await otherProcess.rollback();
      }
      expect((await worker().deliverDue()).delivered).toBe(1);
      expect(receiver.keys()).toEqual(['k0', 'k2', 'k1']);
    },
  );

  it('hands other deliverers the key and attempt, and claims only known targets', async () => {
    const { knex, outbox, clock, worker } = await setup(databaseId);
    const calls: unknown[] = [];
    const jira: OutboxDeliverer = {
      async deliver(attempt) {
        calls.push(attempt);
        if (attempt.attempt === 1) throw new Error('Jira unreachable');
        if (attempt.attempt === 2) {
          return { outcome: 'retry', error: 'rate limited', retryAfter: '30' };
        }
        return { outcome: 'delivered' };
      },
    };
    const pager: OutboxDeliverer = {
      async deliver() {
        return { outcome: 'permanent', status: 422, error: 'unknown service' };
      },
    };
    await outbox.enqueue(
      [
        { idempotencyKey: 'j1', target: 'jira', payload: { project: 'OPS' } },
        { idempotencyKey: 'p1', target: 'pagerduty', payload: {} },
      ],
      knex,
    );

    expect((await worker().deliverDue()).claimed).toBe(0);
    const w = worker({ deliverers: { jira, pagerduty: pager } });
    expect(await w.deliverDue()).toMatchObject({
      claimed: 2,
      retrying: 1,
      dead: 1,
    });
    clock.advance(SECOND);
    expect(await w.deliverDue()).toMatchObject({ retrying: 1 });
    expect((await outbox.list({ state: 'pending' })).items[0]).toMatchObject({
      idempotencyKey: 'j1',
      lastError: 'rate limited',
      nextAttemptAt: iso(T0 + SECOND + 30 * SECOND),
    });
    clock.advance(30 * SECOND);
    expect(await w.deliverDue()).toMatchObject({ delivered: 1 });

    expect(calls).toEqual(
      [1, 2, 3].map(attempt => ({
        id: expect.any(Number),
        target: 'jira',
        payload: { project: 'OPS' },
        idempotencyKey: 'j1',
        attempt,
      })),
    );
    expect((await outbox.list({ state: 'dead' })).items).toEqual([
      expect.objectContaining({
        idempotencyKey: 'p1',
        lastStatus: 422,
        lastError: 'unknown service',
      }),
    ]);
  });

  it('logs target, id and status, never the payload or the response body', async () => {
    const { knex, outbox, clock, worker } = await setup(databaseId);
    const receiver = await startReceiver();
    receiver.reply(
      { status: 500, body: 'alice@example.com not found' },
      { status: 200 },
      { status: 403, body: 'alice@example.com forbidden' },
    );
    const personal = { subject: 'alice@example.com', ssn: '078-05-1120' };
    await outbox.enqueue(
      [hook(receiver, 'k1', personal), hook(receiver, 'k2', personal)],
      knex,
    );
    const lines: unknown[] = [];
    const record = (level: string) => (message: string, meta?: unknown) =>
      lines.push({ level, message, meta });
    const logger: OutboxLogger = {
      debug: record('debug'),
      info: record('info'),
      warn: record('warn'),
      error: record('error'),
    };
    const w = worker({ logger, batchSize: 1 });

    await w.deliverDue();
    clock.advance(SECOND);
    await w.deliverDue();
    await w.deliverDue();

    expect(lines).toEqual([
      expect.objectContaining({
        level: 'warn',
        meta: expect.objectContaining({ target: 'http', status: 500 }),
      }),
      expect.objectContaining({
        level: 'debug',
        meta: expect.objectContaining({ target: 'http', status: 200 }),
      }),
      expect.objectContaining({
        level: 'error',
        meta: expect.objectContaining({
          target: 'http',
          id: expect.any(Number),
          status: 403,
        }),
      }),
    ]);
    const logged = JSON.stringify(lines);
    expect(logged).not.toContain('alice');
    expect(logged).not.toContain('078-05');
    expect(logged).not.toContain('/hooks/');
    // k2 got the 200 (it was due first on the second run), k1 the 403.
    expect(
      (await outbox.list()).items.map(d => [d.idempotencyKey, d.lastError]),
    ).toEqual([
      ['k2', null],
      ['k1', 'HTTP 403'],
    ]);
  });

  it('lists newest first, by state, and gets one by id or key', async () => {
    const { knex, outbox, worker } = await setup(databaseId);
    const receiver = await startReceiver();
    receiver.reply({ status: 200 }, { status: 400 });
    await outbox.enqueue([hook(receiver, 'k1')], knex);
    await outbox.enqueue([hook(receiver, 'k2')], knex);
    await outbox.enqueue([hook(receiver, 'k3')], knex);
    await worker({ batchSize: 1 }).deliverDue();
    await worker({ batchSize: 1 }).deliverDue();

    const page = await outbox.list({ limit: 2 });
    expect(page.totalCount).toBe(3);
    expect(page.items.map(d => d.idempotencyKey)).toEqual(['k3', 'k2']);
    expect(
      (await outbox.list({ limit: 2, offset: 2 })).items.map(
        d => d.idempotencyKey,
      ),
    ).toEqual(['k1']);
    const states = await Promise.all(
      (['pending', 'delivered', 'dead'] as const).map(async state => {
        const { items, totalCount } = await outbox.list({ state });
        return [state, totalCount, items.map(d => d.idempotencyKey)];
      }),
    );
    expect(states).toEqual([
      ['pending', 1, ['k3']],
      ['delivered', 1, ['k1']],
      ['dead', 1, ['k2']],
    ]);

    const k2 = page.items[1];
    expect(await outbox.get(k2.id)).toEqual(k2);
    expect(await outbox.get(k2.id + 1000)).toBeUndefined();
    expect(await outbox.getByKey('k2')).toEqual(k2);
    expect(await outbox.getByKey('k4')).toBeUndefined();
  });

  it('polls in the background until stopped', async () => {
    const { knex, outbox, worker } = await setup(databaseId);
    const receiver = await startReceiver();
    const w = worker({ pollIntervalMs: 10 });
    w.start();
    try {
      await outbox.enqueue([hook(receiver, 'k1')], knex);
      await receiver.waitForRequests(1);
    } finally {
      await w.stop();
    }
    expect((await only(outbox)).state).toBe('delivered');
  });

  it('refuses a delivery without a key, target or JSON payload', async () => {
    const { knex, outbox } = await setup(databaseId);
    const bad: NewDelivery[] = [
      { idempotencyKey: '', target: 'http', payload: {} },
      { idempotencyKey: 'x'.repeat(256), target: 'http', payload: {} },
      { idempotencyKey: 'k', target: '', payload: {} },
      { idempotencyKey: 'k', target: 'http', payload: undefined },
    ];
    for (const delivery of bad) {
      await expect(outbox.enqueue([delivery], knex)).rejects.toThrow(TypeError);
    }
    expect((await outbox.list()).totalCount).toBe(0);
  });

  it('keeps the tables of two plugins apart and runs from a migration', async () => {
    const knex = await databases.init(databaseId);
    const migration = (table: string) => ({
      up: (db: Knex) => createOutboxTable(db, table),
      down: (db: Knex) => dropOutboxTable(db, table),
    });
    const migrations: Record<string, ReturnType<typeof migration>> = {
      '001_slo_outbox': migration('slo_outbox'),
      '002_drills_outbox': migration('drills_outbox'),
    };
    const migrationSource = {
      getMigrations: async () => Object.keys(migrations),
      getMigrationName: (name: string) => name,
      getMigration: async (name: string) => migrations[name],
    };
    await knex.migrate.latest({ migrationSource });

    const slo = new Outbox({ db: knex, table: 'slo_outbox' });
    const drills = new Outbox({ db: knex, table: 'drills_outbox' });
    const delivery = { idempotencyKey: 'k1', target: 'http', payload: {} };
    expect(await slo.enqueue([delivery], knex)).toBe(1);
    expect(await drills.enqueue([delivery], knex)).toBe(1);
    expect((await slo.list()).totalCount).toBe(1);

    await knex.migrate.rollback({ migrationSource }, true);
    expect(await knex.schema.hasTable('slo_outbox')).toBe(false);
    expect(await knex.schema.hasTable('drills_outbox')).toBe(false);
    expect(() => new Outbox({ db: knex, table: 'x; drop table y' })).toThrow(
      TypeError,
    );
  });
});
