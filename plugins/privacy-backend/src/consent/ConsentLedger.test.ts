import { testAuditKeyring } from '@internal/plugin-ops-node/testing';
import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { createHmac } from 'node:crypto';
import { resolve as resolvePath } from 'node:path';
import type { Knex } from 'knex';
import { createPrivacyAuditChain } from '../audit';
import { CONSENT_TABLE, ConsentLedger } from './ConsentLedger';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const migrationsDir = resolvePath(__dirname, '../../migrations');

/** The chained audit events, newest first. */
async function auditEvents(knex: Knex) {
  const rows = await knex('privacy_audit_events').orderBy('seq', 'desc');
  return rows.map(row => ({
    type: row.type as string,
    actor: row.actor as string,
    recordId: row.record_id as string | null,
    at: new Date(row.at).toISOString(),
    data: JSON.parse(row.data),
  }));
}

const subjectHash = (id: string) =>
  createHmac('sha256', 'test-key').update(id).digest('hex');

/** 'applied', or the message of the error the database answered with. */
const outcome = (query: Promise<unknown>) =>
  query.then(
    () => 'applied',
    (error: Error) => error.message,
  );

async function setup(databaseId: TestDatabaseId) {
  const knex = await databases.init(databaseId);
  await knex.migrate.latest({ directory: migrationsDir });
  const audit = createPrivacyAuditChain(knex, { keyring: testAuditKeyring() });
  return { knex, audit, ledger: new ConsentLedger(knex, audit) };
}

describe.each(databases.eachSupportedId())(
  'ConsentLedger on %p',
  databaseId => {
    /** PostgreSQL's trigger refuses UPDATE and DELETE; SQLite has no trigger. */
    const appendOnly = databaseId.startsWith('POSTGRES')
      ? expect.stringContaining('privacy audit tables are append-only')
      : 'applied';

    it('keeps every change and answers the latest per purpose', async () => {
      const { knex, audit, ledger } = await setup(databaseId);
      const alice = subjectHash('customer-42');
      const bob = subjectHash('customer-43');

      await ledger.record({
        subjectHash: alice,
        purpose: 'marketing',
        granted: true,
        source: 'web-banner',
        actor: 'user:default/alice',
        at: new Date('2026-11-01T08:00:00.000Z'),
      });
      await ledger.record({
        subjectHash: alice,
        purpose: 'analytics',
        granted: true,
        source: 'web-banner',
        actor: 'user:default/alice',
        at: new Date('2026-11-01T08:00:00.500Z'),
      });
      await ledger.record({
        subjectHash: bob,
        purpose: 'marketing',
        granted: true,
        source: 'app',
        actor: 'user:default/bob',
      });
      await ledger.record({
        subjectHash: alice,
        purpose: 'marketing',
        granted: false,
        source: 'preference-center',
        actor: 'user:default/alice',
        at: new Date('2026-11-20T09:30:00.250Z'),
      });

      expect(await ledger.current(alice)).toEqual({
        marketing: {
          granted: false,
          at: '2026-11-20T09:30:00.250Z',
          source: 'preference-center',
        },
        analytics: {
          granted: true,
          at: '2026-11-01T08:00:00.500Z',
          source: 'web-banner',
        },
      });
      expect(await ledger.history(alice)).toEqual([
        {
          purpose: 'marketing',
          granted: true,
          at: '2026-11-01T08:00:00.000Z',
          source: 'web-banner',
          actor: 'user:default/alice',
        },
        {
          purpose: 'analytics',
          granted: true,
          at: '2026-11-01T08:00:00.500Z',
          source: 'web-banner',
          actor: 'user:default/alice',
        },
        {
          purpose: 'marketing',
          granted: false,
          at: '2026-11-20T09:30:00.250Z',
          source: 'preference-center',
          actor: 'user:default/alice',
        },
      ]);
      expect((await ledger.current(bob)).marketing?.granted).toBe(true);
      expect(await ledger.current(subjectHash('nobody'))).toEqual({});
      expect(await ledger.history(subjectHash('nobody'))).toEqual([]);

      await audit.chainPending({ wait: true });
      const events = await auditEvents(knex);
      const consentEvents = events.filter(e => e.type === 'consent.changed');
      expect(consentEvents).toHaveLength(4);
      const aliceMarketing = consentEvents
        .filter(e => e.actor === 'user:default/alice')
        .filter(e => e.data.purpose === 'marketing')
        .reverse();
      expect(aliceMarketing.map(e => e.data)).toEqual([
        {
          subjectHash: alice,
          purpose: 'marketing',
          granted: true,
          source: 'web-banner',
        },
        {
          subjectHash: alice,
          purpose: 'marketing',
          granted: false,
          source: 'preference-center',
        },
      ]);
      expect(aliceMarketing[1].at).toBe('2026-11-20T09:30:00.250Z');
      expect(aliceMarketing[1].recordId).toBeNull();
      expect(await audit.verify()).toEqual({ ok: true, count: 4 });
    });

    it("binds each change to its subject in the chain by the subject's keyed hash, never the id", async () => {
      const { knex, audit, ledger } = await setup(databaseId);
      const alice = subjectHash('customer-42');
      const bob = subjectHash('customer-43');
      for (const [hash, granted] of [
        [alice, true],
        [bob, true],
        [alice, false],
      ] as const) {
        await ledger.record({
          subjectHash: hash,
          purpose: 'analytics',
          granted,
          source: 'app',
          actor: 'user:default/alice',
        });
      }
      await audit.chainPending({ wait: true });
      const events = (await auditEvents(knex)).reverse();
      // Each event names the subject of its ledger row, in the same order.
      const ledgerRows = await knex(CONSENT_TABLE).orderBy('seq', 'asc');
      expect(events.map(e => e.data.subjectHash)).toEqual(
        ledgerRows.map(row => row.subject_hash),
      );
      expect(events.map(e => e.data.subjectHash)).toEqual([alice, bob, alice]);
      const chained = JSON.stringify(
        await knex('privacy_audit_events').select('data'),
      );
      expect(chained).not.toContain('customer-42');
      expect(chained).not.toContain('customer-43');
      expect(await audit.verify()).toEqual({ ok: true, count: 3 });

      // The hash is inside what the chain hashes: changing it breaks the chain.
      const [first] = await knex('privacy_audit_events').orderBy('seq', 'asc');
      const tampered = JSON.stringify({
        ...JSON.parse(first.data),
        subjectHash: bob,
      });
      if (databaseId.startsWith('POSTGRES')) {
        await knex.raw(
          'ALTER TABLE privacy_audit_events DISABLE TRIGGER privacy_audit_events_append_only',
        );
      }
      await knex('privacy_audit_events')
        .where({ seq: first.seq })
        .update({ data: tampered });
      expect(await audit.verify()).toMatchObject({ ok: false });
    });

    it('refuses UPDATE and DELETE on the consent ledger on PostgreSQL', async () => {
      const { knex, ledger } = await setup(databaseId);
      const alice = subjectHash('customer-42');
      await ledger.record({
        subjectHash: alice,
        purpose: 'marketing',
        granted: true,
        source: 'web-banner',
        actor: 'user:default/alice',
      });
      expect(
        await outcome(
          knex(CONSENT_TABLE)
            .where({ subject_hash: alice })
            .update({ granted: false }),
        ),
      ).toEqual(appendOnly);
      expect(
        await outcome(
          knex(CONSENT_TABLE).where({ subject_hash: alice }).delete(),
        ),
      ).toEqual(appendOnly);
      expect(await ledger.history(alice)).toHaveLength(
        databaseId.startsWith('POSTGRES') ? 1 : 0,
      );
    });

    it('writes neither the consent row nor the audit event when one fails', async () => {
      const { knex, audit, ledger } = await setup(databaseId);
      const change = {
        subjectHash: subjectHash('customer-42'),
        purpose: 'marketing' as const,
        granted: true,
        source: 'web-banner',
        actor: 'user:default/alice',
      };
      const spy = jest
        .spyOn(audit, 'append')
        .mockRejectedValueOnce(new Error('audit unavailable'));
      await expect(ledger.record(change)).rejects.toThrow('audit unavailable');
      spy.mockRestore();
      expect(await ledger.history(change.subjectHash)).toEqual([]);

      await expect(
        knex.transaction(async trx => {
          await ledger.record(change, trx);
          throw new Error('caller failed');
        }),
      ).rejects.toThrow('caller failed');
      expect(await ledger.history(change.subjectHash)).toEqual([]);
      expect(await audit.verify()).toEqual({ ok: true, count: 0 });

      await ledger.record(change);
      expect(await ledger.history(change.subjectHash)).toHaveLength(1);
      expect(await audit.verify()).toEqual({ ok: true, count: 1 });
    });

    it('refuses a subject hash that does not fit the column', async () => {
      const { ledger } = await setup(databaseId);
      await expect(
        ledger.record({
          subjectHash: 'x'.repeat(65),
          purpose: 'analytics',
          granted: true,
          source: 'web',
          actor: 'user:default/a',
        }),
      ).rejects.toThrow(/subjectHash/);
    });
  },
);
