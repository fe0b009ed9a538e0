import type {
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { AuditChain, Outbox } from '@internal/plugin-ops-node';
import { testAuditKeyring } from '@internal/plugin-ops-node/testing';
import type { SecurityAlert } from '@internal/plugin-security-node';
import type { Knex } from 'knex';
import {
  AlertStore,
  SECURITY_AUDIT_TABLES,
  SECURITY_OUTBOX_TABLE,
} from '../alerts';
import { DEFAULT_SEVERITY_ROUTING } from '../config';

const MIGRATIONS = {
  directory: resolvePackagePath(
    '@internal/plugin-security-backend',
    'migrations',
  ),
};

export async function migrate(knex: Knex) {
  await knex.migrate.latest(MIGRATIONS);
}

/** Rolls every migration back (wherever the test runs from). */
export async function rollbackAll(knex: Knex) {
  await knex.migrate.rollback(MIGRATIONS, true);
}

/** A store on a migrated test database, with a clock the test sets. */
export async function storeServices(
  databases: TestDatabases,
  databaseId: TestDatabaseId,
  options: { notifications?: boolean; knex?: Knex } = {},
) {
  const knex = options.knex ?? (await databases.init(databaseId));
  if (!options.knex) await migrate(knex);
  const clock = { ms: Date.parse('2026-12-02T14:05:00.000Z') };
  const now = () => new Date(clock.ms);
  const audit = new AuditChain({
    db: knex,
    tables: SECURITY_AUDIT_TABLES,
    keyring: testAuditKeyring(),
  });
  const outbox = new Outbox({ db: knex, table: SECURITY_OUTBOX_TABLE, now });
  const store = new AlertStore({
    db: knex,
    audit,
    outbox,
    now,
    notifications:
      options.notifications === false
        ? undefined
        : {
            entityRef: 'group:default/platform',
            severities: DEFAULT_SEVERITY_ROUTING,
          },
  });
  return { knex, clock, audit, outbox, store };
}

/** An alert as the engine raises it: 6 failures from one address. */
export function bruteForceAlert(
  overrides: Partial<SecurityAlert> = {},
): SecurityAlert {
  const ip = overrides.groupKey ?? '203.0.113.7';
  const firstAt = overrides.firstAt ?? '2026-12-02T14:02:10.000Z';
  const events = Array.from({ length: 5 }, (_, i) => ({
    '@timestamp': new Date(Date.parse(firstAt) + i * 30_000).toISOString(),
    http: { response: { status_code: 401 } },
    source: { ip },
  }));
  return {
    ruleId: 'brute-force',
    title: 'Brute force: 5 failed authentications from one IP in 5 minutes',
    severity: 'high',
    groupBy: 'source.ip',
    groupKey: ip,
    dedupKey: `brute-force:${ip}:${firstAt}`,
    firstAt,
    lastAt: events[4]['@timestamp'],
    count: 5,
    events: events as SecurityAlert['events'],
    ...overrides,
  };
}
