/*
 * Shared set-up of the privacy fault tests and benchmarks: fresh PostgreSQL
 * databases, SQL data sources filled in bulk, the privacy config, catalog
 * Resources and a runtime on the real queue driver. No Jest in here: the
 * worker child process and the benchmarks load it too.
 */
import {
  LoggerService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import type { Entity } from '@backstage/catalog-model';
import { createQueueDriver, QueueOptions } from '@internal/plugin-ops-node';
import { testAuditKeyring } from '@internal/plugin-ops-node/testing';
import knexFactory, { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { readPrivacyConfig } from '../config';
import { createPrivacyServices, PrivacyServices } from '../services';
import type { RedisKeys } from './redisKeys';

/** JSON config data, as ConfigReader takes it. */
type ConfigData = ConstructorParameters<typeof ConfigReader>[0];

export const PG_SERVER =
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
  'postgresql://postgres@127.0.0.1:5432';
export const REDIS_URL =
  process.env.OPS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const MIGRATIONS_DIRECTORY = resolvePackagePath(
  '@internal/plugin-privacy-backend',
  'migrations',
);

/** A connection string to database `name` on the PostgreSQL server. */
export function pgConnectionString(name: string, server = PG_SERVER): string {
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

/** `<prefix>_<time>_<random>`: a valid, unique, lower-case identifier. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString(
    'hex',
  )}`;
}

export interface FreshDatabase {
  name: string;
  connection: string;
  knex: Knex;
  /** Closes `knex` and drops the database (forcing other sessions out). */
  drop(): Promise<void>;
}

/**
 * Creates an empty database; `pool` sizes its knex client, `settings` are
 * applied to every session of it (ALTER DATABASE … SET).
 */
export async function createFreshDatabase(
  name: string,
  pool: { min: number; max: number } = { min: 0, max: 10 },
  settings: Record<string, string> = {},
): Promise<FreshDatabase> {
  const admin = knexFactory({
    client: 'pg',
    connection: pgConnectionString('postgres'),
    pool: { min: 0, max: 1 },
  });
  try {
    await admin.raw(`CREATE DATABASE "${name}"`);
    for (const [setting, value] of Object.entries(settings)) {
      // Utility statements take no bind parameters: both are checked instead.
      if (!/^[a-z_.]+$/.test(setting) || !/^[A-Za-z0-9_.]+$/.test(value)) {
        throw new Error(`Unsafe database setting ${setting}=${value}`);
      }
      await admin.raw(`ALTER DATABASE "${name}" SET ${setting} = '${value}'`);
    }
  } finally {
    await admin.destroy();
  }
  const connection = pgConnectionString(name);
  const knex = knexFactory({ client: 'pg', connection, pool });
  return {
    name,
    connection,
    knex,
    async drop() {
      await knex.destroy().catch(() => {});
      await dropDatabase(name);
    },
  };
}

export async function dropDatabase(name: string): Promise<void> {
  const admin = knexFactory({
    client: 'pg',
    connection: pgConnectionString('postgres'),
    pool: { min: 0, max: 1 },
  });
  try {
    await admin.raw(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.destroy();
  }
}

export async function migrate(knex: Knex): Promise<void> {
  await knex.migrate.latest({ directory: MIGRATIONS_DIRECTORY });
}

export const subjectId = (i: number) => `subject-${i}`;
export const subjectEmail = (i: number) => `subject-${i}@example.com`;

/**
 * Creates `<prefix>customers` (one row per subject) and `<prefix>orders`
 * (`ordersPerSubject` rows per subject) for subjects 0..subjects-1, plus one
 * bystander, with indexes on the subject column. Filled server-side with
 * generate_series, so 10,000 subjects take a second or two.
 */
export async function createSourceTables(
  knex: Knex,
  options: { prefix?: string; subjects: number; ordersPerSubject: number },
): Promise<void> {
  const p = options.prefix ?? '';
  const customers = `${p}customers`;
  const orders = `${p}orders`;
  await knex.schema.createTable(customers, t => {
    t.text('customer_id').notNullable();
    t.text('email');
    t.text('name');
    t.index(['customer_id'], `${customers}_subject_idx`);
  });
  await knex.schema.createTable(orders, t => {
    t.text('id').primary();
    t.text('customer_id').notNullable();
    t.text('address');
    t.integer('amount_cents');
    t.timestamp('ordered_at', { useTz: true });
    t.index(['customer_id'], `${orders}_subject_idx`);
  });
  await knex.raw(
    `INSERT INTO ?? (customer_id, email, name)
     SELECT 'subject-' || g, 'subject-' || g || '@example.com', 'Name ' || g
     FROM generate_series(0, ?) g`,
    [customers, options.subjects - 1],
  );
  if (options.ordersPerSubject > 0) {
    await knex.raw(
      `INSERT INTO ?? (id, customer_id, address, amount_cents, ordered_at)
       SELECT 'order-' || s || '-' || o, 'subject-' || s, o || ' Main Street, Springfield',
              (s * 31 + o * 17) % 100000, now() - (o || ' days')::interval
       FROM generate_series(0, ?) s, generate_series(1, ?) o`,
      [orders, options.subjects - 1, options.ordersPerSubject],
    );
  }
  await knex(customers).insert({
    customer_id: 'bystander',
    email: 'bystander@example.com',
    name: 'Not the subject',
  });
  await knex.raw('ANALYZE ??', [customers]);
  await knex.raw('ANALYZE ??', [orders]);
}

/** The connector `tables` config for tables made by createSourceTables. */
export const sourceTablesConfig = (prefix = '') => [
  {
    table: `${prefix}orders`,
    subjectColumn: 'customer_id',
    erase: 'columns',
    columns: { address: 'redact' },
  },
  {
    table: `${prefix}customers`,
    subjectColumn: 'customer_id',
    erase: 'delete-row',
  },
];

export interface SourceSpec {
  /** Connection name, also the Resource name. */
  name: string;
  /** PostgreSQL connection string of the database holding the tables. */
  connection: string;
  tablePrefix?: string;
}

export const key32 = () => randomBytes(32).toString('base64');

/** `privacy:` config data: one EU region, a SQL connection per source. */
export function privacyConfigData(options: {
  storageDirectory: string;
  sources: SourceSpec[];
  extra?: Record<string, unknown>;
}) {
  return {
    identifiers: { key: { id: 'fault-ids', key: key32() }, pepper: key32() },
    intakeRateLimit: { perMinute: 1_000_000 },
    regions: {
      EU: {
        masterKey: { id: 'eu-1', key: key32() },
        storage: { directory: options.storageDirectory },
      },
    },
    connections: Object.fromEntries(
      options.sources.map(source => [
        source.name,
        {
          type: 'sql',
          region: 'EU',
          client: 'pg',
          connection: source.connection,
          tables: sourceTablesConfig(source.tablePrefix),
        },
      ]),
    ),
    ...options.extra,
  };
}

export function resourceEntity(
  name: string,
  region: string,
  connection: string,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        'ops.portal/region': region,
        'privacy.ops.portal/connection': connection,
      },
    },
    spec: { type: 'database', owner: 'group:default/engineering' },
  };
}

/**
 * A logger that drops everything, or hands each line to `sink` (an array to
 * push to, or a function), with its level, child meta and error message.
 */
export function createTestLogger(
  sink?: string[] | ((line: string) => void),
  meta: Record<string, unknown> = {},
  levels: string[] = ['error', 'warn', 'info', 'debug'],
): LoggerService {
  const log = (level: string) => (message: string, extra?: Error | object) => {
    if (!sink || !levels.includes(level)) return;
    let detail = '';
    if (extra instanceof Error) detail = ` ${extra.message}`;
    else if (extra) detail = ` ${JSON.stringify(extra)}`;
    const line = `${level} ${JSON.stringify(meta)} ${message}${detail}`;
    if (typeof sink === 'function') sink(line);
    else sink.push(line);
  };
  return {
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    child: childMeta =>
      createTestLogger(sink, { ...meta, ...childMeta }, levels),
  };
}

/** Everything needed to build a runtime; JSON, so a child process can take it. */
export interface RuntimeSpec {
  /** Connection string of the privacy database (migrated). */
  database: string;
  redisUrl: string;
  /** BullMQ key prefix, unique per run. */
  prefix: string;
  /** `privacy:` config data. */
  privacy: Record<string, unknown>;
  resources: Entity[];
  queueOptions: QueueOptions;
  /** Pool size of the privacy database client. */
  poolMax?: number;
}

/** The runtime on BullMQ and its own knex client; `close()` closes both. */
export function createRuntimeFromSpec(
  spec: RuntimeSpec,
  logger: LoggerService = createTestLogger(),
): { runtime: PrivacyServices; db: Knex; close(): Promise<void> } {
  const db = knexFactory({
    client: 'pg',
    connection: spec.database,
    pool: { min: 0, max: spec.poolMax ?? 10 },
  });
  const config = readPrivacyConfig(
    new ConfigReader({ privacy: spec.privacy } as ConfigData),
  );
  const runtime = createPrivacyServices({
    db,
    config,
    queueDriver: createQueueDriver({
      driver: 'bullmq',
      redisUrl: spec.redisUrl,
      prefix: spec.prefix,
      logger,
    }),
    queueOptions: spec.queueOptions,
    loadResources: async () => spec.resources,
    logger,
    auditKeyring: testAuditKeyring(),
  });
  return {
    runtime,
    db,
    async close() {
      await runtime.close();
      await db.destroy();
    },
  };
}

/** Request counts by state. */
export async function countByState(db: Knex): Promise<Record<string, number>> {
  const rows: Array<{ state: string; n: string | number }> = await db(
    'privacy_requests',
  )
    .select('state')
    .count({ n: '*' })
    .groupBy('state');
  return Object.fromEntries(rows.map(r => [r.state, Number(r.n)]));
}

/**
 * Deletes every Redis key under `prefix:` (SCAN + UNLINK), the test's own
 * "FLUSHALL" that leaves everything else in Redis alone. Returns the count.
 */
export async function deleteKeysWithPrefix(
  redis: RedisKeys,
  prefix: string,
): Promise<number> {
  return redis.deleteMatching(`${prefix}:*`);
}

/** Runs `work` over `items` with at most `limit` at once. */
export async function mapLimit<T, R>(
  items: T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const runners = Array.from(
    { length: Math.min(limit, items.length) },
    async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index], index);
      }
    },
  );
  await Promise.all(runners);
  return results;
}

export const sleep = (ms: number) =>
  new Promise<void>(resolve => setTimeout(resolve, ms));

/** Request ids among `ids` that do not have exactly one row, and rows of unknown requests. */
async function onePerRequest(
  query: Knex.QueryBuilder,
  ids: string[],
  column = 'request_id',
): Promise<{
  rows: number;
  notOnce: string[];
  missing: string[];
  unknown: string[];
}> {
  const grouped: Array<{ request_id: string; n: string | number }> = await query
    .select({ request_id: column })
    .count({ n: '*' })
    .groupBy(column);
  const wanted = new Set(ids);
  const seen = new Set(grouped.map(r => r.request_id));
  return {
    rows: grouped.reduce((sum, r) => sum + Number(r.n), 0),
    notOnce: grouped
      .filter(r => Number(r.n) !== 1)
      .map(r => `${r.request_id}×${r.n}`),
    missing: ids.filter(id => !seen.has(id)),
    unknown: [...seen].filter(id => !wanted.has(id)),
  };
}

/**
 * What "every request completed exactly once" checks: states, one
 * `export.created` audit event and one privacy_exports row per request.
 */
export async function exactlyOnceReport(db: Knex, ids: string[]) {
  return {
    states: await countByState(db),
    exportCreatedEvents: await onePerRequest(
      db('privacy_audit_events').where({ type: 'export.created' }),
      ids,
      'record_id',
    ),
    exportRows: await onePerRequest(db('privacy_exports'), ids),
    completedEvents: await onePerRequest(
      db('privacy_audit_events')
        .where({ type: 'request.state_changed' })
        .where('data', 'like', '%"to":"completed"%'),
      ids,
      'record_id',
    ),
  };
}

/** The intake body of subject `i`. */
export const exportIntake = (i: number) => ({
  subject: { id: subjectId(i), email: subjectEmail(i) },
  region: 'EU' as const,
  jurisdiction: 'GDPR' as const,
  priority: 'NORMAL' as const,
});

/** Failed attempts recorded in the audit log, with their distinct errors. */
export async function failedAttempts(
  db: Knex,
): Promise<{ count: number; errors: string[] }> {
  const rows: Array<{ data: string }> = await db('privacy_audit_events')
    .select('data')
    .where({ type: 'request.state_changed' })
    .where('data', 'like', '%"to":"failed"%');
  const errors = new Set<string>();
  for (const row of rows) {
    const message = String(JSON.parse(row.data).error ?? '');
    errors.add(message.replace(/[0-9a-f-]{36}/g, '<id>').slice(0, 200));
  }
  return { count: rows.length, errors: [...errors] };
}

/** Databases and Redis key prefixes of these tests and benches (see uniqueName). */
const STALE_NAME =
  /^privacy_(?:fault|bench)_[a-z]+_([0-9a-z]{8,9})_[0-9a-f]{6}/;

/**
 * Drops databases and deletes Redis keys that an interrupted earlier run of
 * these tests or benches left behind: only names made by uniqueName() under
 * privacy_fault_* / privacy_bench_*, and only when older than `olderThanMs`,
 * so runs going on meanwhile are never touched. Returns what it removed.
 */
export async function sweepStale(
  redis?: RedisKeys,
  olderThanMs = 2 * 60 * 60 * 1000,
): Promise<{ databases: string[]; keyPrefixes: string[] }> {
  const stale = (name: string) => {
    const match = name.match(STALE_NAME);
    return Boolean(match) && Date.now() - parseInt(match![1], 36) > olderThanMs;
  };
  const admin = knexFactory({
    client: 'pg',
    connection: pgConnectionString('postgres'),
    pool: { min: 0, max: 1 },
  });
  const databases: string[] = [];
  try {
    const { rows } = await admin.raw(
      `SELECT datname FROM pg_database WHERE datname LIKE 'privacy\\_fault\\_%' OR datname LIKE 'privacy\\_bench\\_%'`,
    );
    for (const { datname } of rows as Array<{ datname: string }>) {
      if (stale(datname)) {
        await admin.raw(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
        databases.push(datname);
      }
    }
  } finally {
    await admin.destroy();
  }
  const keyPrefixes = new Set<string>();
  if (redis) {
    for (const pattern of ['privacy_fault_*', 'privacy_bench_*']) {
      for await (const keys of redis.scan(pattern)) {
        const old = keys.filter(stale);
        old.forEach(k => keyPrefixes.add(k.split(':')[0]));
        await redis.unlink(old);
      }
    }
  }
  return { databases, keyPrefixes: [...keyPrefixes] };
}
