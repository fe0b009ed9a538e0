/*
 * The request list, its filters and sorts, the overdue count and the SLI
 * window are read through indexes (issue 8, item 14): with enough rows for
 * a planner to care (20,000, statistics gathered), the plan of each query
 * RequestStore sends reads privacy_requests through an index, never by a
 * full scan. PostgreSQL answers EXPLAIN (FORMAT JSON), SQLite EXPLAIN QUERY
 * PLAN.
 */
import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { PRIORITIES } from '@internal/plugin-privacy-common';
import type { Knex } from 'knex';
import { MIGRATIONS_DIRECTORY } from '../testing/harness';
import type { IdentifierProtection } from '../identifiers';
import { RequestListFilter, RequestStore } from './RequestStore';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const ROWS = 20_000;
const HOUR = 3_600_000;
const NOW = Date.now();

/** Identifiers as they are, for a store that never shows a subject here. */
const plainIdentifiers: IdentifierProtection = {
  hash: id => id,
  encrypt: text => text,
  decrypt: value => value,
};

const REGIONS = ['EU', 'US', 'UK', 'APAC'];
const PRIORITY_VALUES = Object.values(PRIORITIES);

/** Two months of requests: almost all completed, a few open, some of those overdue. */
function row(i: number) {
  const created = new Date(NOW - i * 5 * 60_000);
  const open = i % 100 === 0;
  return {
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    type: i % 2 ? 'export' : 'delete',
    state: open ? 'queued' : 'completed',
    subject_hash: `subject-${i}`,
    subject_enc: `subject-${i}`,
    email_enc: null,
    region: REGIONS[i % REGIONS.length],
    jurisdiction: 'GDPR',
    priority: PRIORITY_VALUES[i % 7 === 0 ? 3 : i % 3],
    requester: 'user:default/alice',
    created_at: created,
    updated_at: created,
    completed_at: open ? null : new Date(created.getTime() + HOUR),
    sla_due_at: new Date(created.getTime() + 24 * HOUR),
    legal_due_at: new Date(created.getTime() + 30 * 24 * HOUR),
    attempts: 0,
    demo: false,
  };
}

/** The tables and index names a plan reads, and whether it scans privacy_requests in full. */
async function planOf(
  knex: Knex,
  databaseId: string,
  sql: string,
  bindings: readonly unknown[],
) {
  if (databaseId.startsWith('POSTGRES')) {
    // The pg client numbers its placeholders ($1); knex.raw takes `?`.
    const result = await knex.raw(
      `EXPLAIN (FORMAT JSON) ${sql.replace(/\$\d+/g, '?')}`,
      bindings as any[],
    );
    const nodes: Array<Record<string, any>> = [];
    const walk = (node: Record<string, any>) => {
      nodes.push(node);
      for (const child of node.Plans ?? []) walk(child);
    };
    walk(result.rows[0]['QUERY PLAN'][0].Plan);
    return {
      fullScan: nodes.some(
        n =>
          n['Node Type'] === 'Seq Scan' &&
          n['Relation Name'] === 'privacy_requests',
      ),
      indexes: nodes.map(n => n['Index Name']).filter(Boolean) as string[],
    };
  }
  const rows: Array<{ detail: string }> = await knex.raw(
    `EXPLAIN QUERY PLAN ${sql}`,
    bindings as any[],
  );
  const onTable = rows
    .map(r => r.detail)
    .filter(d => d.includes('privacy_requests'));
  return {
    fullScan: onTable.some(d => !d.includes('INDEX')),
    indexes: onTable.flatMap(d => d.match(/INDEX (\w+)/)?.[1] ?? []),
  };
}

describe.each(databases.eachSupportedId())(
  'request indexes on %p',
  databaseId => {
    let knex: Knex;
    let store: RequestStore;
    const sent: Array<{ sql: string; bindings: readonly unknown[] }> = [];

    beforeAll(async () => {
      knex = await databases.init(databaseId as TestDatabaseId);
      await knex.migrate.latest({ directory: MIGRATIONS_DIRECTORY });
      const rows = Array.from({ length: ROWS }, (_, i) => row(i));
      await knex.batchInsert('privacy_requests', rows as any[], 500);
      await knex.raw(
        databaseId.startsWith('POSTGRES')
          ? 'ANALYZE privacy_requests'
          : 'ANALYZE',
      );
      store = new RequestStore(knex, plainIdentifiers);
      knex.on(
        'query',
        (query: { sql: string; bindings?: readonly unknown[] }) => {
          sent.push({ sql: query.sql, bindings: query.bindings ?? [] });
        },
      );
    });

    /** The queries `run` sends, each with its plan. */
    async function plansOf(run: () => Promise<unknown>) {
      sent.length = 0;
      await run();
      const queries = sent.splice(0);
      return Promise.all(
        queries.map(async q => ({
          sql: q.sql,
          ...(await planOf(knex, databaseId, q.sql, q.bindings)),
        })),
      );
    }

    const list = (filter: Partial<RequestListFilter>) =>
      store.list(
        { sort: 'createdAt', order: 'desc', limit: 25, offset: 0, ...filter },
        new Date(NOW),
      );

    it.each([
      ['createdAt', 'desc'],
      ['createdAt', 'asc'],
      ['slaDueAt', 'asc'],
      ['legalDueAt', 'desc'],
      ['priority', 'desc'],
    ] as const)(
      'reads a page sorted by %s %s off an index',
      async (sort, order) => {
        const plans = await plansOf(() => list({ sort, order }));
        const page = plans.find(p => /limit/i.test(p.sql))!;
        expect({ sql: page.sql, fullScan: page.fullScan }).toEqual({
          sql: page.sql,
          fullScan: false,
        });
        expect(page.indexes.length).toBeGreaterThan(0);
      },
    );

    it.each([
      ['state', { state: 'queued' }],
      ['type', { type: 'delete' }],
      ['region', { region: 'UK' }],
      ['priority', { priority: 'URGENT' }],
      ['overdue', { overdue: true }],
    ] as const)(
      'reads a page filtered by %s through an index',
      async (_name, filter) => {
        const plans = await plansOf(() =>
          list(filter as Partial<RequestListFilter>),
        );
        const page = plans.find(p => /limit/i.test(p.sql))!;
        expect({ sql: page.sql, fullScan: page.fullScan }).toEqual({
          sql: page.sql,
          fullScan: false,
        });
        expect(page.indexes.length).toBeGreaterThan(0);
      },
    );

    it('counts the overdue and reads an SLI window through indexes', async () => {
      const plans = await plansOf(async () => {
        await store.countOverdue(new Date(NOW));
        await store.slaInputsDecidedIn(
          new Date(NOW - 5 * 60_000),
          new Date(NOW),
        );
        await list({ state: 'queued' });
      });
      expect(plans.length).toBeGreaterThanOrEqual(4);
      for (const plan of plans) {
        expect({ sql: plan.sql, fullScan: plan.fullScan }).toEqual({
          sql: plan.sql,
          fullScan: false,
        });
      }
      const sli = plans[1];
      expect(sli.indexes).toEqual(
        expect.arrayContaining(['privacy_requests_completed_idx']),
      );
    });
  },
);
