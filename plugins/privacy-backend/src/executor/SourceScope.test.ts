import {
  TestDatabaseId,
  TestDatabases,
  mockServices,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { LocalBlobStore } from '@internal/plugin-ops-node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { DataSourceConnector } from '../connectors/types';
import { createKeyring } from '../crypto';
import { createLifecycle } from '../testing/lifecycle';
import { resourceEntity } from '../testing/harness';
import { Executor } from './Executor';
import type { RegionRuntime } from './RegionRuntime';
import { ResultStore } from './ResultStore';
import { SourceResolver } from './SourceResolver';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const SUBJECT = 'customer-42';

/** A store in memory holding `rows` records of the subject; counts its erasures. */
function memoryStore(connection: string, rows: number) {
  const state = { remaining: rows, erasures: 0 };
  const connector: DataSourceConnector = {
    connection,
    region: 'EU',
    async exportSubject() {
      return {
        rows: Array.from({ length: state.remaining }, (_, i) => ({ i })),
      };
    },
    async eraseSubject() {
      state.erasures += 1;
      const affected = state.remaining;
      state.remaining = 0;
      return { affected };
    },
    async countRemaining() {
      return state.remaining;
    },
    async close() {},
  };
  return { connector, state };
}

/**
 * Erasure scope decided by config, whatever the catalog says: the stores
 * `checkout-eu` and `payments-eu` are configured; `archive-eu` is
 * configured but excluded (never opened, so not in the runtime).
 */
describe.each(databases.eachSupportedId())(
  'Erasure scope on %p: config decides, the catalog only names',
  databaseId => {
    const dirs: string[] = [];
    afterAll(() => dirs.forEach(dir => rmSync(dir, { recursive: true })));

    async function setUp(resources: Entity[]) {
      const lifecycle = await createLifecycle(
        databases,
        databaseId as TestDatabaseId,
      );
      const dir = mkdtempSync(join(tmpdir(), 'scope-test-'));
      dirs.push(dir);
      const checkout = memoryStore('checkout-eu', 3);
      const payments = memoryStore('payments-eu', 2);
      const masterKey = { id: 'eu-1', key: randomBytes(32) };
      const region: RegionRuntime = {
        region: 'EU',
        masterKey,
        keyring: createKeyring([masterKey]),
        storage: new LocalBlobStore(dir),
        connectors: new Map([
          ['checkout-eu', checkout.connector],
          ['payments-eu', payments.connector],
        ]),
      };
      const sources = new SourceResolver(async () => resources, {
        connections: [
          {
            name: 'checkout-eu',
            region: 'EU',
            type: 'sql',
            excluded: false,
            excludedReason: null,
          },
          {
            name: 'payments-eu',
            region: 'EU',
            type: 'sql',
            excluded: false,
            excludedReason: null,
          },
          {
            name: 'archive-eu',
            region: 'EU',
            type: 'sql',
            excluded: true,
            excludedReason: 'tape archive, purged by its retention job',
          },
        ],
      });
      const executor = new Executor({
        transitions: lifecycle.transitions,
        store: lifecycle.store,
        results: new ResultStore(lifecycle.db),
        sources,
        regions: new Map([['EU', region]]),
        exportLinkDays: 7,
        logger: mockServices.logger.mock(),
      });
      const { request } = await lifecycle.intake.submit(
        'delete',
        { subject: { id: SUBJECT }, region: 'EU', jurisdiction: 'GDPR' },
        'user:default/alice',
      );
      await lifecycle.requests.approve(request.id, 'user:default/bob');
      return {
        ...lifecycle,
        executor,
        sources,
        checkout,
        payments,
        id: request.id,
        results: async () =>
          (
            await lifecycle
              .db('privacy_source_results')
              .where({ request_id: request.id })
              .orderBy('connection')
          )
            // (the erasure of export bundles is another helper's row)
            .filter(r => r.connection.endsWith('-eu'))
            .map(r => [r.connection, r.source, r.status, Number(r.records)]),
      };
    }

    it('erases a store whose Resource was deleted, and flags it', async () => {
      // Someone deleted payments-db from the catalog.
      const t = await setUp([
        resourceEntity('checkout-db', 'EU', 'checkout-eu'),
      ]);
      await t.executor.run(t.id);

      expect((await t.store.get(t.id))?.state).toBe('completed');
      expect(t.payments.state).toEqual({ remaining: 0, erasures: 1 });
      expect(t.checkout.state).toEqual({ remaining: 0, erasures: 1 });
      expect(await t.results()).toEqual([
        ['checkout-eu', 'resource:default/checkout-db', 'done', 3],
        ['payments-eu', 'connection:payments-eu', 'done', 2],
      ]);
      expect((await t.sources.report()).flags.map(f => f.kind)).toEqual([
        'undeclared',
      ]);
    });

    it('neither fails nor uses a Resource naming an unknown or excluded connection', async () => {
      const t = await setUp([
        resourceEntity('checkout-db', 'EU', 'checkout-eu'),
        resourceEntity('payments-db', 'EU', 'payments-eu'),
        resourceEntity('rogue-db', 'EU', 'not-configured'),
        resourceEntity('archive-db', 'EU', 'archive-eu'),
      ]);
      await t.executor.run(t.id);

      // Completed (not dead-lettered), over the configured stores only.
      expect((await t.store.get(t.id))?.state).toBe('completed');
      expect(await t.results()).toEqual([
        ['checkout-eu', 'resource:default/checkout-db', 'done', 3],
        ['payments-eu', 'resource:default/payments-db', 'done', 2],
      ]);
      expect(
        (await t.sources.report()).flags.map(f => [f.kind, f.connection]),
      ).toEqual([
        ['excluded-declared', 'archive-eu'],
        ['unknown-connection', 'not-configured'],
      ]);
    });

    it('runs on config alone with an empty catalog', async () => {
      const t = await setUp([]);
      await t.executor.run(t.id);
      expect((await t.store.get(t.id))?.state).toBe('completed');
      expect(t.checkout.state.erasures + t.payments.state.erasures).toBe(2);
    });
  },
);
