import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FreshDatabase,
  REDIS_URL,
  RuntimeSpec,
  createFreshDatabase,
  createSourceTables,
  deleteKeysWithPrefix,
  migrate,
  privacyConfigData,
  resourceEntity,
  sweepStale,
} from './harness';
import { RedisKeys } from './redisKeys';

const SOURCES = ['s1_', 's2_', 's3_'];

/**
 * The set-up the queue fault tests share: a fresh PostgreSQL database with
 * the plugin's tables and three SQL sources holding `requests` subjects, a
 * Redis connection for the run's own keys, and the runtime spec (config,
 * catalog Resources, queue options) that the test process and the worker
 * children build their runtime from. `tearDown` removes all of it.
 */
export async function setUpFaultScenario(name: string, requests: number) {
  const prefix = `${name}-queue`;
  const redis = await RedisKeys.connect(REDIS_URL);
  await sweepStale(redis);
  const db: FreshDatabase = await createFreshDatabase(name);
  await migrate(db.knex);
  for (const tablePrefix of SOURCES) {
    await createSourceTables(db.knex, {
      prefix: tablePrefix,
      subjects: requests,
      ordersPerSubject: 3,
    });
  }
  const storage = mkdtempSync(join(tmpdir(), `${name}-`));
  const spec: RuntimeSpec = {
    database: db.connection,
    redisUrl: REDIS_URL,
    prefix,
    privacy: privacyConfigData({
      storageDirectory: join(storage, 'EU'),
      sources: SOURCES.map((tablePrefix, i) => ({
        name: `source-${i + 1}`,
        connection: db.connection,
        tablePrefix,
      })),
    }),
    resources: SOURCES.map((_, i) =>
      resourceEntity(`source-${i + 1}-db`, 'EU', `source-${i + 1}`),
    ),
    queueOptions: {
      concurrency: 10,
      attempts: 5,
      backoffMs: 200,
      rateLimit: { max: 100_000, durationMs: 1000 },
    },
  };
  return {
    db,
    spec,
    redis,
    prefix,
    async tearDown() {
      await deleteKeysWithPrefix(redis, prefix).catch(() => {});
      await redis.close();
      await db.drop();
      rmSync(storage, { recursive: true, force: true });
    },
  };
}

export type FaultScenario = Awaited<ReturnType<typeof setUpFaultScenario>>;
