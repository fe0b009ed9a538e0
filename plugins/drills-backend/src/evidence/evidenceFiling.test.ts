import { TestDatabases } from '@backstage/backend-test-utils';
import {
  Outbox,
  OutboxWorker,
  createOutboxTable,
  type OutboxDelivery,
} from '@internal/plugin-ops-node';
import type { RunView } from '../runs/types';
import { EvidenceApiDouble } from './__testUtils__/EvidenceApiDouble';
import {
  EvidenceFilingDelivererOptions,
  enqueueEvidenceFiling,
  evidenceFileName,
  evidenceFilingDeliverer,
} from './index';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const TABLE = 'drills_outbox';
const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;
const RUN_ID = '6f1c2a9e-5d4b-4c1a-9f7e-0a1b2c3d4e5f';
const FILE_NAME = `incident-drill-${RUN_ID}.json`;

const iso = (ms: number) => new Date(ms).toISOString();

/** The run as RunService hands it to `onFinished` (only its id and state matter here). */
function finishedRun(id = RUN_ID): RunView {
  return {
    id,
    scenarioId: 'database-failover',
    title: 'Fail over the checkout database',
    calendarMonth: null,
    state: 'finished',
    lead: 'user:default/lead',
    startedAt: iso(T0 - 90 * MINUTE),
    finishedAt: iso(T0),
    abortedAt: null,
    abortReason: null,
    endedBy: 'user:default/lead',
    createdBy: 'user:default/lead',
    hasReport: true,
    reportMarkdown: '# Drill report',
    evidence: null,
    participants: [],
    checkpoints: [],
    actionItems: [],
    progress: { steps: 0, checked: 0 },
    phases: [],
    notes: [],
    attachments: [],
  };
}

const doubles: EvidenceApiDouble[] = [];
afterEach(async () => {
  for (const double of doubles.splice(0)) {
    await double.stop().catch(() => {});
  }
});

async function startDouble() {
  const double = await EvidenceApiDouble.start('test-token');
  doubles.push(double);
  double.finishedRuns.add(RUN_ID);
  return double;
}

function delivererFor(
  double: EvidenceApiDouble,
  overrides: Partial<EvidenceFilingDelivererOptions> = {},
) {
  const filed: Array<[string, string]> = [];
  const deliverer = evidenceFilingDeliverer({
    baseUrl: async () => double.baseUrl,
    headers: async () => ({ authorization: 'Bearer test-token' }),
    recordFiled: async (runId, itemId) => {
      filed.push([runId, itemId]);
    },
    pollIntervalMs: 1,
    ...overrides,
  });
  return { deliverer, filed };
}

describe('evidenceFileName', () => {
  it('is the evidence collector’s file name of the run', () => {
    expect(evidenceFileName(RUN_ID)).toBe(FILE_NAME);
    expect(evidenceFileName('a/b c:ü')).toBe('incident-drill-a_b_c__.json');
    expect(evidenceFileName('x'.repeat(150))).toBe(
      `incident-drill-${'x'.repeat(100)}.json`,
    );
  });
});

describe.each(databases.eachSupportedId())(
  'filing a finished run as evidence through the outbox on %p',
  databaseId => {
    async function setUp() {
      const knex = await databases.init(databaseId);
      await createOutboxTable(knex, TABLE);
      let now = T0;
      const clock = {
        now: () => new Date(now),
        advance: (ms: number) => {
          now += ms;
        },
      };
      const outbox = new Outbox({ db: knex, table: TABLE, now: clock.now });
      const double = await startDouble();
      const { deliverer, filed } = delivererFor(double);
      const worker = (options: { leaseMs?: number } = {}) =>
        new OutboxWorker({
          outbox,
          deliverers: { evidence: deliverer },
          now: clock.now,
          random: () => 0,
          ...options,
        });
      const finish = (run = finishedRun()) =>
        knex.transaction(tx => enqueueEvidenceFiling(outbox, run, tx));
      const only = async (): Promise<OutboxDelivery> => {
        const { items } = await outbox.list();
        expect(items).toHaveLength(1);
        return items[0];
      };
      return { knex, clock, outbox, double, filed, worker, finish, only };
    }

    it('waits while the evidence plugin is down and files the run once it is back', async () => {
      const { clock, double, filed, worker, finish, only } = await setUp();
      await double.stop();

      expect(await finish()).toBe(1);
      expect(await only()).toMatchObject({
        idempotencyKey: `drills-evidence:${RUN_ID}`,
        target: 'evidence',
        payload: { runId: RUN_ID, fileName: FILE_NAME },
        state: 'pending',
        attempts: 0,
      });

      const w = worker();
      expect(await w.deliverDue()).toMatchObject({ claimed: 1, retrying: 1 });
      const waiting = await only();
      expect(waiting).toMatchObject({
        state: 'pending',
        attempts: 1,
        lastError:
          'HTTP request failed (ECONNREFUSED) while looking up the evidence item',
        nextAttemptAt: iso(T0 + SECOND),
      });
      expect(waiting.lastError).not.toContain('127.0.0.1');

      clock.advance(SECOND);
      expect(await w.deliverDue()).toMatchObject({ claimed: 1, retrying: 1 });
      expect(await only()).toMatchObject({
        attempts: 2,
        nextAttemptAt: iso(T0 + 3 * SECOND),
      });
      expect(filed).toEqual([]);

      await double.restart();
      clock.advance(2 * SECOND);
      expect(await w.deliverDue()).toMatchObject({ claimed: 1, delivered: 1 });
      expect(await only()).toMatchObject({
        state: 'delivered',
        attempts: 3,
        deliveredAt: iso(T0 + 3 * SECOND),
      });
      expect(double.items).toEqual([
        {
          id: expect.any(String),
          type: 'incident-drill',
          fileName: FILE_NAME,
          runId: RUN_ID,
        },
      ]);
      expect(filed).toEqual([[RUN_ID, double.items[0].id]]);
      expect(double.routes()).toEqual([
        'GET /items',
        'POST /collectors/incident-drills/runs',
        `GET /runs/${double.collectorRuns[0].id}`,
        `GET /runs/${double.collectorRuns[0].id}`,
        'GET /items',
      ]);
      expect(double.requests[0].path).toBe(
        `/items?type=incident-drill&q=${FILE_NAME}&limit=5`,
      );
      expect(
        double.requests.every(
          r => r.idempotencyKey === `drills-evidence:${RUN_ID}`,
        ),
      ).toBe(true);
    });

    it('files nothing new when the same filing is enqueued or delivered again', async () => {
      const { clock, double, filed, worker, finish, only } = await setUp();
      await finish();
      expect((await worker().deliverDue()).delivered).toBe(1);
      const itemId = double.items[0].id;
      const requests = double.requests.length;

      // Finishing again enqueues nothing; a later worker pass claims nothing.
      expect(await finish()).toBe(0);
      clock.advance(DAY);
      expect((await worker().deliverDue()).claimed).toBe(0);
      expect(double.requests).toHaveLength(requests);

      // Delivered again after all (a dead delivery retried by hand, say):
      // the item is found and only recorded again.
      const { deliverer } = delivererFor(double);
      expect(
        await deliverer.deliver({
          id: (await only()).id,
          target: 'evidence',
          payload: { runId: RUN_ID, fileName: FILE_NAME },
          idempotencyKey: `drills-evidence:${RUN_ID}`,
          attempt: 2,
        }),
      ).toEqual({ outcome: 'delivered', status: 200 });
      expect(double.routes().slice(requests)).toEqual(['GET /items']);
      expect(double.items.map(i => i.id)).toEqual([itemId]);
      expect(double.collectorRuns).toHaveLength(1);
      expect(filed).toEqual([[RUN_ID, itemId]]);
    });

    it('files nothing new when a delivery whose lease expired is attempted again', async () => {
      const { clock, double, filed, worker, finish, only } = await setUp();
      await finish();
      const releaseFirstLookup = double.holdNext('GET /items');

      // The first worker hangs on its first lookup (answered: no item yet).
      const hung = worker({ leaseMs: MINUTE }).deliverDue();
      await double.waitForRequests(1);
      clock.advance(MINUTE);
      expect(await worker({ leaseMs: MINUTE }).deliverDue()).toMatchObject({
        claimed: 1,
        delivered: 1,
      });
      expect(double.items).toHaveLength(1);
      const itemId = double.items[0].id;

      // The first attempt goes on, runs the collector again, which files
      // nothing new; its outcome is not recorded.
      releaseFirstLookup();
      expect(await hung).toMatchObject({ claimed: 1, leaseLost: 1 });
      expect(double.collectorRuns).toHaveLength(2);
      expect(double.items.map(i => i.id)).toEqual([itemId]);
      expect(filed).toEqual([
        [RUN_ID, itemId],
        [RUN_ID, itemId],
      ]);
      expect(await only()).toMatchObject({
        state: 'delivered',
        attempts: 2,
        lockedUntil: null,
      });
    });

    it('dead-letters a filing the evidence plugin refuses with 403', async () => {
      const { clock, double, filed, worker, finish, only } = await setUp();
      double.fail('POST /collectors/incident-drills/runs', { status: 403 });
      await finish();

      expect(await worker().deliverDue()).toMatchObject({
        claimed: 1,
        dead: 1,
      });
      expect(await only()).toMatchObject({
        state: 'dead',
        attempts: 1,
        lastStatus: 403,
        lastError: 'HTTP 403 while starting the incident-drills collector',
        deliveredAt: null,
      });
      clock.advance(DAY);
      expect((await worker().deliverDue()).claimed).toBe(0);
      expect(double.items).toEqual([]);
      expect(filed).toEqual([]);
    });

    it('waits as long as a 503 Retry-After asks', async () => {
      const { double, worker, finish, only } = await setUp();
      double.fail('GET /items', {
        status: 503,
        headers: { 'retry-after': '120' },
        times: 1,
      });
      await finish();

      expect((await worker().deliverDue()).retrying).toBe(1);
      expect(await only()).toMatchObject({
        state: 'pending',
        lastStatus: 503,
        lastError: 'HTTP 503 while looking up the evidence item',
        nextAttemptAt: iso(T0 + 120 * SECOND),
      });
    });
  },
);

describe('evidenceFilingDeliverer', () => {
  const attempt = {
    id: 1,
    target: 'evidence',
    payload: { runId: RUN_ID, fileName: FILE_NAME },
    idempotencyKey: `drills-evidence:${RUN_ID}`,
    attempt: 1,
  };

  it('retries, naming the collector run and its error without URLs, when the collector filed nothing', async () => {
    const double = await startDouble();
    double.collectorError =
      'GET http://127.0.0.1:7007/api/drills/runs?state=finished failed: 403';
    const { deliverer, filed } = delivererFor(double);

    const result = await deliverer.deliver(attempt);
    expect(result).toEqual({
      outcome: 'retry',
      error: `The incident-drills collector run ${double.collectorRuns[0].id} failed (GET <url> failed: 403) and no item ${FILE_NAME} was filed`,
    });
    expect(filed).toEqual([]);
  });

  it('retries when the collector succeeded without the run (it did not see it)', async () => {
    const double = await startDouble();
    double.finishedRuns.clear();
    const { deliverer } = delivererFor(double);

    expect(await deliverer.deliver(attempt)).toEqual({
      outcome: 'retry',
      error: `The incident-drills collector run ${double.collectorRuns[0].id} succeeded and no item ${FILE_NAME} was filed`,
    });
  });

  it('gives up waiting for a collector run after timeoutMs', async () => {
    const double = await startDouble();
    double.collectorHangs = true;
    const { deliverer } = delivererFor(double, { timeoutMs: 30 });

    expect(await deliverer.deliver(attempt)).toEqual({
      outcome: 'retry',
      error: `The incident-drills collector run ${double.collectorRuns[0].id} was still running after 30 ms`,
    });
    expect(double.items).toEqual([]);
  });

  it('is refused for good without credentials, and for a payload it cannot read', async () => {
    const double = await startDouble();
    const { deliverer } = delivererFor(double, { headers: async () => ({}) });

    expect(await deliverer.deliver(attempt)).toEqual({
      outcome: 'permanent',
      status: 401,
      error: 'HTTP 401 while looking up the evidence item',
    });
    expect(
      await deliverer.deliver({ ...attempt, payload: { runId: 1 } }),
    ).toEqual({
      outcome: 'permanent',
      error: 'Invalid evidence filing payload (needs runId and fileName)',
    });
  });

  it('looks up a long file name by its first 100 characters and matches it exactly', async () => {
    const double = await startDouble();
    const runId = 'r'.repeat(120);
    double.finishedRuns.add(runId);
    const fileName = evidenceFileName(runId);
    const { deliverer, filed } = delivererFor(double);

    expect(
      await deliverer.deliver({ ...attempt, payload: { runId, fileName } }),
    ).toEqual({ outcome: 'delivered', status: 200 });
    const item = double.items.find(i => i.fileName === fileName)!;
    expect(filed).toEqual([[runId, item.id]]);
    expect(
      new URL(double.requests[0].path, 'http://x').searchParams.get('q'),
    ).toHaveLength(100);
  });

  it('refuses to enqueue a run that did not finish', async () => {
    const outbox = { enqueue: jest.fn() } as unknown as Outbox;
    await expect(
      enqueueEvidenceFiling(
        outbox,
        { ...finishedRun(), state: 'aborted' },
        {} as never,
      ),
    ).rejects.toThrow(
      `Only a finished run is filed as evidence; run ${RUN_ID} is aborted`,
    );
    expect(outbox.enqueue).not.toHaveBeenCalled();
  });
});
