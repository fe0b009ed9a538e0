import {
  TestDatabaseId,
  TestDatabases,
  mockServices,
} from '@backstage/backend-test-utils';
import { LocalBlobStore } from '@internal/plugin-ops-node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { DataSourceConnector } from '../connectors/types';
import { createKeyring } from '../crypto';
import { createLifecycle } from '../testing/lifecycle';
import { Executor, maskSubject } from './Executor';
import type { RegionRuntime } from './RegionRuntime';
import { ResultStore } from './ResultStore';
import { SourceResolver } from './SourceResolver';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const SUBJECT = 'customer-42@example.com';

/** A data source in memory; `fail` makes every call throw that message. */
function memorySource(
  connection: string,
  rows: number,
  fail?: string,
): DataSourceConnector {
  let remaining = rows;
  const check = () => {
    if (fail) throw new Error(fail);
  };
  return {
    connection,
    region: 'EU',
    async exportSubject() {
      check();
      return { orders: Array.from({ length: remaining }, (_, i) => ({ i })) };
    },
    async eraseSubject() {
      check();
      const affected = remaining;
      remaining = 0;
      return { affected };
    },
    async countRemaining() {
      check();
      return remaining;
    },
    async close() {},
  };
}

const resource = (name: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name,
    annotations: {
      'privacy.ops.portal/connection': name,
      'ops.portal/region': 'EU',
    },
  },
  spec: { type: 'database', owner: 'team' },
});

async function setUp(
  databaseId: TestDatabaseId,
  connectors: DataSourceConnector[],
) {
  const lifecycle = await createLifecycle(databases, databaseId);
  const dir = mkdtempSync(join(tmpdir(), 'executor-test-'));
  const masterKey = { id: 'eu-1', key: randomBytes(32) };
  const region: RegionRuntime = {
    region: 'EU',
    masterKey,
    keyring: createKeyring([masterKey]),
    storage: new LocalBlobStore(dir),
    connectors: new Map(connectors.map(c => [c.connection, c])),
  };
  const results = new ResultStore(lifecycle.db);
  const executor = new Executor({
    transitions: lifecycle.transitions,
    store: lifecycle.store,
    results,
    sources: new SourceResolver(
      async () => connectors.map(c => resource(c.connection)),
      {
        connections: connectors.map(c => ({
          name: c.connection,
          region: c.region,
          type: 'memory',
          excluded: false,
          excludedReason: null,
        })),
      },
    ),
    regions: new Map([['EU', region]]),
    exportLinkDays: 7,
    logger: mockServices.logger.mock(),
  });
  const submit = async (type: 'export' | 'delete') => {
    const { request } = await lifecycle.intake.submit(
      type,
      {
        subject: { id: SUBJECT },
        region: 'EU',
        jurisdiction: 'GDPR',
      },
      'user:default/alice',
    );
    if (type === 'delete') {
      await lifecycle.requests.approve(request.id, 'user:default/bob');
    }
    return request.id;
  };
  return {
    ...lifecycle,
    executor,
    submit,
    dir,
    sources: (id: string) =>
      lifecycle.db('privacy_source_results').where({ request_id: id }),
  };
}

describe.each(databases.eachSupportedId())(
  'Executor on %p (no server, no queue)',
  databaseId => {
    const dirs: string[] = [];
    afterAll(() => dirs.forEach(dir => rmSync(dir, { recursive: true })));

    it('masks the subject id wherever it appears in an error', () => {
      expect(
        maskSubject(`no row for ${SUBJECT}; retried ${SUBJECT}`, SUBJECT),
      ).toBe('no row for [subject]; retried [subject]');
    });

    it('exports every source into one sealed bundle and completes once', async () => {
      const t = await setUp(databaseId, [
        memorySource('a', 2),
        memorySource('b', 3),
      ]);
      dirs.push(t.dir);
      const id = await t.submit('export');
      await t.executor.run(id);
      expect((await t.store.get(id))?.state).toBe('completed');
      expect(
        (await t.sources(id)).map(r => [r.source, r.status, r.records]),
      ).toEqual([
        ['resource:default/a', 'done', 2],
        ['resource:default/b', 'done', 3],
      ]);
      // A second run of a completed request does nothing.
      await t.executor.run(id);
      expect(
        (await t.trail(id)).filter(type => type === 'export.created'),
      ).toHaveLength(1);
    });

    it('on a partial failure keeps each source result, masks the error and throws for a retry', async () => {
      const t = await setUp(databaseId, [
        memorySource('good', 4),
        memorySource('bad', 1, `relation has no row for ${SUBJECT}`),
      ]);
      dirs.push(t.dir);
      const id = await t.submit('delete');
      const failure = await t.executor.run(id).then(
        () => undefined,
        error => error as Error,
      );
      expect(failure?.message).toBe(
        '1 of 2 sources failed: resource:default/bad: relation has no row for [subject]',
      );
      expect(failure?.message).not.toContain(SUBJECT);
      const rows = await t.sources(id);
      expect(rows.map(r => [r.source, r.status, r.error])).toEqual([
        ['resource:default/bad', 'failed', 'relation has no row for [subject]'],
        ['resource:default/good', 'done', null],
      ]);
      // Still running: the queue marks it failed and retries it.
      expect((await t.store.get(id))?.state).toBe('running');
      expect(JSON.stringify(await t.audit.forRecord(id))).not.toContain(
        SUBJECT,
      );
    });

    it('never runs an erasure whose subject came under a legal hold during its retry back-off', async () => {
      let calls = 0;
      const flaky = memorySource('store', 2);
      const erase = flaky.eraseSubject.bind(flaky);
      flaky.eraseSubject = async subjectId => {
        calls += 1;
        if (calls === 1) throw new Error('connection reset');
        return erase(subjectId);
      };
      const t = await setUp(databaseId, [flaky]);
      dirs.push(t.dir);
      const id = await t.submit('delete');
      // The first attempt fails; the queue records it and waits to retry.
      await expect(t.executor.run(id)).rejects.toThrow('connection reset');
      await t.transitions.fail(id, new Error('connection reset'));
      expect((await t.store.get(id))?.state).toBe('failed');

      const hold = await t.requests.placeHold(
        SUBJECT,
        'litigation hold',
        'user:default/carol',
      );
      expect(hold.held).toBe(1);
      expect((await t.store.get(id))?.state).toBe('on_hold');
      // The queue's retry comes: nothing runs.
      await t.executor.run(id);
      expect(calls).toBe(1);
      expect((await t.store.get(id))?.state).toBe('on_hold');
      await expect(
        t.requests.retry(id, 'user:default/bob'),
      ).rejects.toMatchObject({
        name: 'ConflictError',
      });
      // Released, it needs a fresh approval.
      await t.requests.releaseHold(hold.id, 'user:default/carol');
      expect((await t.store.get(id))?.state).toBe('awaiting_approval');
    });

    it('moves a held erasure to on_hold instead of restarting it after a crash', async () => {
      const source = memorySource('store', 2);
      const erase = jest.spyOn(source, 'eraseSubject');
      const t = await setUp(databaseId, [source]);
      dirs.push(t.dir);
      const id = await t.submit('delete');
      // A worker took it and died: the row says running.
      expect((await t.transitions.start(id))?.state).toBe('running');
      // A hold placed meanwhile cannot move a running erasure...
      expect(
        (
          await t.requests.placeHold(
            SUBJECT,
            'regulator request',
            'user:default/carol',
          )
        ).held,
      ).toBe(0);
      // ...but the restarted run does not erase: it parks the request.
      await t.executor.run(id);
      expect(erase).not.toHaveBeenCalled();
      expect((await t.store.get(id))?.state).toBe('on_hold');
      expect(await t.trail(id)).toContain('request.state_changed');
    });

    it('still runs exports of a held subject (holds stop erasures only)', async () => {
      const t = await setUp(databaseId, [memorySource('store', 1)]);
      dirs.push(t.dir);
      await t.requests.placeHold(
        SUBJECT,
        'litigation hold',
        'user:default/carol',
      );
      const id = await t.submit('export');
      await t.executor.run(id);
      expect((await t.store.get(id))?.state).toBe('completed');
    });
  },
);
