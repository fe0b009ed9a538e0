/* eslint jest/no-standalone-expect: ['error', { additionalTestBlockFunctions: ['contractTest'] }] */
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import {
  BullMQQueueDriver,
  InProcessQueueDriver,
  JobPriorities,
  QueueDriver,
  QueueJob,
  QueueOptions,
} from './index';

const REDIS_URL = process.env.OPS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `ops-queue-test-${process.pid}-${Date.now()}`;
const TIMEOUT = 10_000;

/** Synchronous so that the BullMQ cases can be declared as skipped. */
function redisReachable(url: string): boolean {
  const { hostname, port } = new URL(url);
  const target = JSON.stringify([
    Number(port || 6379),
    hostname.replace(/^\[|\]$/g, ''), // IPv6 literal
  ]);
  const probe = `require('node:net').connect(...${target})
    .on('connect', () => process.exit(0))
    .on('error', () => process.exit(1));`;
  const { status } = spawnSync(process.execPath, ['-e', probe], {
    timeout: 3000,
  });
  return status === 0;
}

// In CI the BullMQ half always runs, so an unreachable Redis fails it.
const skipBullMQ = !process.env.CI && !redisReachable(REDIS_URL);
if (skipBullMQ) {
  // eslint-disable-next-line no-console
  console.warn(`Redis unreachable at ${REDIS_URL}: skipping BullMQ contract`);
}

const drivers: Array<{
  kind: string;
  skip: boolean;
  create: () => QueueDriver;
}> = [
  { kind: 'memory', skip: false, create: () => new InProcessQueueDriver() },
  {
    kind: 'bullmq',
    skip: skipBullMQ,
    create: () =>
      new BullMQQueueDriver({ connection: REDIS_URL, prefix: PREFIX }),
  },
];

const fast: QueueOptions = {
  backoffMs: 10,
  rateLimit: { max: 1000, durationMs: 1000 },
};

async function waitFor(check: () => boolean | Promise<boolean>, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('Timed out waiting');
    await sleep(10);
  }
}

function gate() {
  let open!: () => void;
  const opened = new Promise<void>(resolve => (open = resolve));
  return { open, opened };
}

describe.each(drivers)('$kind queue driver', ({ kind, skip, create }) => {
  const contractTest = skip ? it.skip : it;
  let driver: QueueDriver;
  let queueCount = 0;
  const queueName = () => `contract-${++queueCount}`;

  // Used to check reachability first (fast failure in CI) and to clean up.
  let redis: Redis | undefined;

  beforeAll(async () => {
    if (kind !== 'bullmq' || skip) return;
    const client = new Redis(REDIS_URL, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    try {
      await client.connect();
      await client.ping();
      redis = client;
    } catch (error) {
      client.disconnect();
      throw new Error(`Redis unreachable at ${REDIS_URL}: ${error}`);
    }
  });

  beforeEach(() => {
    driver = create();
  });

  afterEach(async () => {
    await driver?.close();
  });

  afterAll(async () => {
    if (!redis) return;
    for await (const keys of redis.scanStream({ match: `${PREFIX}:*` })) {
      if ((keys as string[]).length) await redis.del(...(keys as string[]));
    }
    redis.disconnect();
  });

  contractTest(
    'processes a job once with its data',
    async () => {
      const queue = driver.queue<{ n: number; at: Date }>(queueName(), fast);
      const seen: QueueJob<unknown>[] = [];
      queue.process(async job => {
        seen.push(job);
      });
      await queue.add({
        id: 'job-1',
        name: 'greet',
        data: { n: 42, at: new Date(0) },
      });

      await waitFor(async () => (await queue.counts()).completed === 1);
      await sleep(100);
      expect(seen).toEqual([
        {
          id: 'job-1',
          name: 'greet',
          // Data is a JSON round-trip in both drivers.
          data: { n: 42, at: '1970-01-01T00:00:00.000Z' },
          attempt: 1,
        },
      ]);
      expect(await queue.has('job-1')).toBe(false);
    },
    TIMEOUT,
  );

  contractTest(
    'accepts ids BullMQ would reject as job ids',
    async () => {
      const queue = driver.queue<null>(queueName(), fast);
      const ids: string[] = [];
      queue.process(async job => {
        ids.push(job.id);
      });
      await queue.add({ id: '42', data: null });
      await queue.add({ id: 'dsar:7/a b', data: null });

      await waitFor(() => ids.length === 2);
      expect(ids.sort()).toEqual(['42', 'dsar:7/a b']);
    },
    TIMEOUT,
  );

  contractTest(
    'deduplicates by id while waiting or active, not after completion',
    async () => {
      const queue = driver.queue<number>(queueName(), fast);
      await queue.add({ id: 'same', data: 1 });
      await queue.add({ id: 'same', data: 2 });
      expect(await queue.has('same')).toBe(true);
      expect((await queue.counts()).waiting).toBe(1);

      const release = gate();
      const calls: number[] = [];
      queue.process(async job => {
        calls.push(job.data);
        await release.opened;
      });
      await waitFor(() => calls.length === 1);
      await queue.add({ id: 'same', data: 3 }); // while active
      release.open();
      await waitFor(async () => (await queue.counts()).completed === 1);
      expect(calls).toEqual([1]);

      await queue.add({ id: 'same', data: 4 }); // finished: a new job
      await waitFor(async () => (await queue.counts()).completed === 2);
      expect(calls).toEqual([1, 4]);
    },
    TIMEOUT,
  );

  contractTest(
    'runs higher priorities first, FIFO within a priority',
    async () => {
      const queue = driver.queue<null>(queueName(), {
        ...fast,
        concurrency: 1,
      });
      const { LOW, NORMAL, URGENT, HIGH } = JobPriorities;
      await queue.add({ id: 'low', data: null, priority: LOW });
      await queue.add({ id: 'normal-1', data: null, priority: NORMAL });
      await queue.add({ id: 'urgent', data: null, priority: URGENT });
      await queue.add({ id: 'high', data: null, priority: HIGH });
      await queue.add({ id: 'normal-2', data: null }); // NORMAL by default

      const order: string[] = [];
      queue.process(async job => {
        order.push(job.id);
      });
      await waitFor(() => order.length === 5);
      expect(order).toEqual(['urgent', 'high', 'normal-1', 'normal-2', 'low']);
    },
    TIMEOUT,
  );

  contractTest(
    'retries with increasing attempt numbers until success',
    async () => {
      const queue = driver.queue<null>(queueName(), fast);
      const attempts: number[] = [];
      const deadLetters = jest.fn();
      queue.onDeadLetter(deadLetters);
      queue.process(async job => {
        attempts.push(job.attempt);
        if (job.attempt < 3) throw new Error(`fail ${job.attempt}`);
      });
      await queue.add({ id: 'flaky', data: null });

      await waitFor(async () => (await queue.counts()).completed === 1);
      expect(attempts).toEqual([1, 2, 3]);
      expect(deadLetters).not.toHaveBeenCalled();
      expect(await queue.deadLetters()).toEqual([]);
    },
    TIMEOUT,
  );

  contractTest(
    'dead-letters a job after exactly 3 failed attempts',
    async () => {
      const queue = driver.queue<{ row: number }>(queueName(), fast);
      const attempts: number[] = [];
      const deadLetters = jest.fn();
      queue.onDeadLetter(async (job, error) => {
        // Still counted as pending while listeners run (see JobQueue docs).
        deadLetters(job, error.message, await queue.has(job.id));
      });
      queue.process(async job => {
        attempts.push(job.attempt);
        throw new Error('boom');
      });
      await queue.add({ id: 'doomed', name: 'erase', data: { row: 7 } });

      await waitFor(() => deadLetters.mock.calls.length === 1);
      await waitFor(async () => !(await queue.has('doomed')));
      await sleep(100);
      expect(attempts).toEqual([1, 2, 3]);
      expect(deadLetters).toHaveBeenCalledTimes(1);
      expect(deadLetters).toHaveBeenCalledWith(
        { id: 'doomed', name: 'erase', data: { row: 7 }, attempt: 3 },
        'boom',
        true,
      );
      expect(await queue.deadLetters()).toEqual([
        {
          id: 'doomed',
          name: 'erase',
          data: { row: 7 },
          error: 'boom',
          attempts: 3,
          failedAt: expect.any(Date),
        },
      ]);
      expect(await queue.counts()).toMatchObject({
        completed: 0,
        failed: 1,
        deadLettered: 1,
      });
    },
    TIMEOUT,
  );

  contractTest(
    'never runs more than `concurrency` jobs at once',
    async () => {
      const queue = driver.queue<null>(queueName(), {
        ...fast,
        concurrency: 3,
      });
      let active = 0;
      let maxActive = 0;
      let done = 0;
      queue.process(async () => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        await sleep(50);
        active -= 1;
        done += 1;
      });
      for (let i = 0; i < 10; i++) {
        await queue.add({ id: `job-${i}`, data: null });
      }

      await waitFor(() => done === 10);
      expect(maxActive).toBe(3);
    },
    TIMEOUT,
  );

  contractTest(
    'respects the rate limit',
    async () => {
      const queue = driver.queue<null>(queueName(), {
        ...fast,
        rateLimit: { max: 2, durationMs: 500 },
      });
      const startedAt: number[] = [];
      for (let i = 0; i < 3; i++) {
        await queue.add({ id: `job-${i}`, data: null });
      }
      queue.process(async () => {
        startedAt.push(Date.now());
      });

      await waitFor(() => startedAt.length === 3);
      expect(startedAt[1] - startedAt[0]).toBeLessThan(250);
      expect(startedAt[2] - startedAt[0]).toBeGreaterThanOrEqual(400);
    },
    TIMEOUT,
  );

  contractTest(
    'counts waiting, active and completed jobs',
    async () => {
      const queue = driver.queue<null>(queueName(), {
        ...fast,
        concurrency: 1,
      });
      const release = gate();
      for (let i = 0; i < 3; i++) {
        await queue.add({ id: `job-${i}`, data: null });
      }
      expect(await queue.counts()).toEqual({
        waiting: 3,
        active: 0,
        delayed: 0,
        completed: 0,
        failed: 0,
        deadLettered: 0,
      });

      queue.process(() => release.opened);
      await waitFor(async () => {
        const counts = await queue.counts();
        return counts.active === 1 && counts.waiting === 2;
      });
      release.open();
      await waitFor(async () => (await queue.counts()).completed === 3);
      expect(await queue.counts()).toMatchObject({ waiting: 0, active: 0 });
    },
    TIMEOUT,
  );

  contractTest(
    'close() waits for the in-flight job',
    async () => {
      const queue = driver.queue<null>(queueName(), fast);
      let started = false;
      let finished = false;
      queue.process(async () => {
        started = true;
        await sleep(300);
        finished = true;
      });
      await queue.add({ id: 'slow', data: null });
      await waitFor(() => started);

      await driver.close();
      expect(finished).toBe(true);
      await expect(queue.add({ id: 'late', data: null })).rejects.toThrow(
        /closed/,
      );
    },
    TIMEOUT,
  );
});
