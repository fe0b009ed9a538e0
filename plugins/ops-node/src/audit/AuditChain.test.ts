import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import type { AuditEvent } from '@internal/plugin-ops-common';
import type { Knex } from 'knex';
import { AuditAnchor, AnchorStore } from './AuditAnchor';
import { createHash } from 'node:crypto';
import { TEST_AUDIT_KEY, testAuditKeyring } from '../testing/auditKeys';
import { AuditChain } from './AuditChain';
import { AuditKeyring } from './AuditKeyring';
import { GENESIS_HASH, canonicalJson, chainMessage } from './hashing';
import { createAuditChainTables, dropAuditChainTables } from './tables';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const TABLES = { events: 'test_audit_events', pending: 'test_audit_pending' };
const AUDIT_TABLE = TABLES.events;
const PENDING_TABLE = TABLES.pending;

const keyring = testAuditKeyring();

async function setup(databaseId: TestDatabaseId, anchor?: AuditAnchor) {
  const knex = await databases.init(databaseId);
  await createAuditChainTables(knex, TABLES);
  return {
    knex,
    audit: new AuditChain({ db: knex, tables: TABLES, keyring, anchor }),
  };
}

/** The chain's key as `AuditChain` derives it: what a test signs rows with. */
const chainKeyring = keyring.forChain(AUDIT_TABLE);
const sign = (fields: Parameters<typeof chainMessage>[0]) =>
  chainKeyring.mac('chain', fields.keyId, chainMessage(fields));

/** An anchor store in memory: the anchor only needs get and put. */
function memoryStore(): AnchorStore {
  const blobs = new Map<string, Buffer>();
  return {
    async getBuffer(key) {
      const blob = blobs.get(key);
      if (!blob) {
        const { NotFoundError } = await import('@backstage/errors');
        throw new NotFoundError(key);
      }
      return blob;
    },
    async put(key, data) {
      blobs.set(key, data);
    },
  };
}

const isPg = (databaseId: TestDatabaseId) => databaseId.startsWith('POSTGRES');

/** 'applied', or the message of the error the database answered with. */
const outcome = (query: Promise<unknown>) =>
  query.then(
    () => 'applied',
    (error: Error) => error.message,
  );

const refused = expect.stringContaining(`${AUDIT_TABLE} is append-only`);
const REFUSED_PATTERN = new RegExp(`${AUDIT_TABLE} is append-only`);

/** What a tamperer with direct database access does: bypass the trigger. */
async function tamper(
  knex: Knex,
  databaseId: TestDatabaseId,
  change: (knex: Knex) => Promise<unknown>,
) {
  if (isPg(databaseId)) {
    await knex.raw(`ALTER TABLE ${AUDIT_TABLE} DISABLE TRIGGER ALL`);
  }
  try {
    await change(knex);
  } finally {
    if (isPg(databaseId)) {
      await knex.raw(`ALTER TABLE ${AUDIT_TABLE} ENABLE TRIGGER ALL`);
    }
  }
}

/** Appends one event, chained at once. */
const appendOne = async (
  audit: AuditChain,
  entry: Parameters<AuditChain['append']>[0][number],
  trx?: Knex.Transaction,
) => (await audit.append([entry], trx))[0];

/** Every event of the chain, newest first. */
async function allEvents(knex: Knex) {
  const rows = await knex(AUDIT_TABLE).orderBy('seq', 'desc');
  return rows.map(row => ({
    seq: Number(row.seq),
    type: row.type as string,
    recordId: row.record_id as string | null,
  }));
}

describe('canonicalJson', () => {
  it('orders keys at every depth and drops undefined', () => {
    expect(
      canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } }),
    ).toBe('{"a":{"d":[3,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ at: new Date(0) })).toBe(
      '{"at":"1970-01-01T00:00:00.000Z"}',
    );
  });
});

describe.each(databases.eachSupportedId())('AuditChain on %p', databaseId => {
  /** PostgreSQL's trigger refuses UPDATE and DELETE; SQLite has no trigger. */
  const appendOnly = isPg(databaseId) ? refused : 'applied';

  it('chains events and verifies them', async () => {
    const { knex, audit } = await setup(databaseId);
    expect(await audit.verify()).toEqual({ ok: true, count: 0 });

    const at = new Date('2026-11-26T10:00:00.123Z');
    const first = await appendOne(audit, {
      recordId: 'req-1',
      type: 'request.received',
      actor: 'user:default/alice',
      data: { z: 1, a: { nested: true } },
      at,
    });
    expect(first).toMatchObject({
      seq: expect.any(Number),
      recordId: 'req-1',
      at: '2026-11-26T10:00:00.123Z',
      prevHash: GENESIS_HASH,
    });
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);

    const second = await appendOne(audit, {
      recordId: 'req-1',
      type: 'request.approved',
      actor: 'user:default/bob',
    });
    expect(second.prevHash).toBe(first.hash);
    expect(second.data).toEqual({});
    await appendOne(audit, {
      recordId: 'req-2',
      type: 'request.received',
      actor: 'user:default/alice',
    });
    await appendOne(audit, {
      type: 'consent.changed',
      actor: 'user:default/alice',
      data: { purpose: 'marketing', granted: true },
    });
    await appendOne(audit, {
      recordId: 'req-1',
      type: 'export.downloaded',
      actor: 'user:default/alice',
      data: { bytes: 1234 },
    });

    expect(await audit.verify()).toEqual({ ok: true, count: 5 });

    const trail = await audit.forRecord('req-1');
    expect(trail.map(e => e.type)).toEqual([
      'request.received',
      'request.approved',
      'export.downloaded',
    ]);
    expect(trail[0]).toEqual(first);

    const newestFirst = await allEvents(knex);
    expect(newestFirst).toHaveLength(5);
    expect(newestFirst.slice(1, 3).map(e => e.type)).toEqual([
      'consent.changed',
      'request.received',
    ]);
    expect(newestFirst[1].recordId).toBeNull();
  });

  it('serializes 50 concurrent appends into one chain', async () => {
    const { audit } = await setup(databaseId);
    const events = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        appendOne(audit, {
          recordId: `req-${i % 5}`,
          type: 'request.state_changed',
          actor: 'plugin:privacy',
          data: { i },
        }),
      ),
    );
    expect(new Set(events.map(e => e.prevHash)).size).toBe(50);
    expect(new Set(events.map(e => e.hash)).size).toBe(50);
    expect(await audit.verify()).toEqual({ ok: true, count: 50 });
  });

  it('appends inside the caller transaction and rolls back with it', async () => {
    const { knex, audit } = await setup(databaseId);
    await appendOne(audit, { type: 'a', actor: 'x' });
    await expect(
      knex.transaction(async trx => {
        await appendOne(audit, { type: 'b', actor: 'x' }, trx);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await knex.transaction(async trx => {
      await appendOne(audit, { type: 'c', actor: 'x' }, trx);
    });
    expect((await allEvents(knex)).map(e => e.type)).toEqual(['c', 'a']);
    expect(await audit.verify()).toEqual({ ok: true, count: 2 });
  });

  it('refuses UPDATE and DELETE on the audit table on PostgreSQL', async () => {
    const { knex, audit } = await setup(databaseId);
    const first = await appendOne(audit, { type: 't', actor: 'a', data: {} });
    await appendOne(audit, { type: 't', actor: 'a', data: {} });
    expect(
      await outcome(
        knex(AUDIT_TABLE).where({ seq: first.seq }).update({ actor: 'b' }),
      ),
    ).toEqual(appendOnly);
    expect(
      await outcome(knex(AUDIT_TABLE).where({ seq: first.seq }).delete()),
    ).toEqual(appendOnly);
    // on PostgreSQL nothing changed; on SQLite verify has to catch it
    expect(await audit.verify()).toEqual(
      isPg(databaseId)
        ? { ok: true, count: 2 }
        : {
            ok: false,
            count: 0,
            brokenAt: { seq: first.seq + 1, reason: 'broken link' },
          },
    );
  });

  it('names an altered row as a hash mismatch', async () => {
    const { knex, audit } = await setup(databaseId);
    const events: AuditEvent[] = [];
    for (let i = 0; i < 5; i++) {
      events.push(
        await appendOne(audit, {
          recordId: 'req-1',
          type: 'request.state_changed',
          actor: 'plugin:privacy',
          data: { to: `state-${i}` },
        }),
      );
    }
    const target = events[2];
    const alter = (db: Knex) =>
      db(AUDIT_TABLE)
        .where({ seq: target.seq })
        .update({ data: canonicalJson({ to: 'completed' }) });

    // PostgreSQL's trigger refuses the edit; SQLite has no trigger and takes it
    expect(await outcome(alter(knex))).toEqual(appendOnly);

    await tamper(knex, databaseId, alter);
    expect((await audit.forRecord('req-1'))[2].data).toEqual({
      to: 'completed',
    });
    expect(await audit.verify()).toEqual({
      ok: false,
      count: 2,
      brokenAt: { seq: target.seq, reason: 'hash mismatch' },
    });
  });

  it('names a row whose actor or time was altered', async () => {
    const { knex, audit } = await setup(databaseId);
    const events: AuditEvent[] = [];
    for (let i = 0; i < 3; i++) {
      events.push(
        await appendOne(audit, { type: 't', actor: 'user:default/a' }),
      );
    }
    await tamper(knex, databaseId, db =>
      db(AUDIT_TABLE)
        .where({ seq: events[1].seq })
        .update({ at: new Date(Date.parse(events[1].at) + 1) }),
    );
    expect(await audit.verify()).toMatchObject({
      ok: false,
      brokenAt: { seq: events[1].seq, reason: 'hash mismatch' },
    });
  });

  it('names the row after a deleted one as a broken link', async () => {
    const { knex, audit } = await setup(databaseId);
    const events: AuditEvent[] = [];
    for (let i = 0; i < 5; i++) {
      events.push(
        await appendOne(audit, { type: 't', actor: 'a', data: { i } }),
      );
    }
    await tamper(knex, databaseId, db =>
      db(AUDIT_TABLE).where({ seq: events[2].seq }).delete(),
    );
    expect(await audit.verify()).toEqual({
      ok: false,
      count: 2,
      brokenAt: { seq: events[3].seq, reason: 'broken link' },
    });
  });

  it('names row 1 of a chain rebuilt from its first row without the key', async () => {
    const { knex, audit } = await setup(databaseId);
    const events: AuditEvent[] = [];
    for (let i = 0; i < 4; i++) {
      events.push(
        await appendOne(audit, { type: 't', actor: 'a', data: { i } }),
      );
    }
    // Someone with write access edits row 2 and re-links every row from the
    // first, as the unkeyed chain allowed: with SHA-256, then with a key of
    // their own under the real key id.
    const rebuilds = {
      sha256: (fields: Parameters<typeof chainMessage>[0]) =>
        createHash('sha256').update(chainMessage(fields)).digest('hex'),
      guessedKey: (fields: Parameters<typeof chainMessage>[0]) =>
        new AuditKeyring(
          [{ id: fields.keyId, key: 'a key the attacker made up, 32+ chars' }],
          'ops',
        )
          .forChain(AUDIT_TABLE)
          .mac('chain', fields.keyId, chainMessage(fields)),
    };
    for (const rehash of Object.values(rebuilds)) {
      let prevHash = GENESIS_HASH;
      await tamper(knex, databaseId, async db => {
        for (const event of events) {
          const data = event.seq === events[1].seq ? { i: 99 } : event.data;
          const hash = rehash({
            keyId: 'test-audit-1',
            prevHash,
            recordId: event.recordId,
            type: event.type,
            actor: event.actor,
            at: event.at,
            data,
          });
          await db(AUDIT_TABLE)
            .where({ seq: event.seq })
            .update({ data: canonicalJson(data), prev_hash: prevHash, hash });
          prevHash = hash;
        }
      });
      expect(await audit.verify()).toEqual({
        ok: false,
        count: 0,
        brokenAt: { seq: events[0].seq, reason: 'hash mismatch' },
      });
    }
  });

  it('verifies rows signed with a retired key and names rows signed with an unknown one', async () => {
    const { knex, audit } = await setup(databaseId);
    await appendOne(audit, { type: 'before rotation', actor: 'a' });
    const rotated = new AuditChain({
      db: knex,
      tables: TABLES,
      keyring: new AuditKeyring(
        [
          { id: 'test-audit-2', key: 'the next audit key, 32 characters+' },
          TEST_AUDIT_KEY,
        ],
        'ops',
      ),
    });
    const after = await appendOne(rotated, {
      type: 'after rotation',
      actor: 'a',
    });
    expect(await rotated.verify()).toEqual({ ok: true, count: 2 });
    // The old keyring alone does not know the new key.
    expect(await audit.verify()).toEqual({
      ok: false,
      count: 1,
      brokenAt: {
        seq: after.seq,
        reason: 'signed with an unknown audit key (test-audit-2)',
      },
    });
  });

  it('verifies a chain longer than one batch and finds a break past it', async () => {
    const { knex, audit } = await setup(databaseId);
    const rows = [];
    let prevHash = GENESIS_HASH;
    const start = Date.parse('2026-01-01T00:00:00.000Z');
    for (let i = 0; i < 2500; i++) {
      const fields = {
        keyId: 'test-audit-1',
        prevHash,
        recordId: `req-${i % 7}`,
        type: 'request.state_changed',
        actor: 'plugin:privacy',
        at: new Date(start + i * 1001).toISOString(),
        data: { i },
      };
      const hash = sign(fields);
      rows.push({
        key_id: fields.keyId,
        record_id: fields.recordId,
        type: fields.type,
        actor: fields.actor,
        at: new Date(fields.at),
        data: canonicalJson(fields.data),
        prev_hash: prevHash,
        hash,
      });
      prevHash = hash;
    }
    await knex.batchInsert(AUDIT_TABLE, rows, 200);
    expect(await audit.verify()).toEqual({ ok: true, count: 2500 });

    const appended = await appendOne(audit, { type: 't', actor: 'a' });
    expect(appended.prevHash).toBe(prevHash);
    expect(await audit.verify()).toEqual({ ok: true, count: 2501 });

    const [{ seq }] = await knex(AUDIT_TABLE)
      .select('seq')
      .orderBy('seq', 'asc')
      .offset(1700)
      .limit(1);
    await tamper(knex, databaseId, db =>
      db(AUDIT_TABLE).where({ seq }).update({ actor: 'user:default/mallory' }),
    );
    expect(await audit.verify()).toEqual({
      ok: false,
      count: 1700,
      brokenAt: { seq: Number(seq), reason: 'hash mismatch' },
    });
  });

  it('chains events enqueued in transactions, in commit order, and verifies them', async () => {
    const { knex, audit } = await setup(databaseId);
    await knex.transaction(trx =>
      audit.enqueue(
        [
          { recordId: 'req-1', type: 'request.received', actor: 'a' },
          { recordId: 'req-1', type: 'request.state_changed', actor: 'a' },
        ],
        trx,
      ),
    );
    // A rolled-back transaction leaves nothing to chain.
    await expect(
      knex.transaction(async trx => {
        await audit.enqueue([{ type: 'lost', actor: 'a' }], trx);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    const [{ n }] = await knex(PENDING_TABLE).count({ n: '*' });
    expect(Number(n)).toBe(2);
    expect(await audit.chainPending({ wait: false })).toBe(2);
    expect(await knex(PENDING_TABLE).select('id')).toEqual([]);
    expect((await audit.forRecord('req-1')).map(e => e.type)).toEqual([
      'request.received',
      'request.state_changed',
    ]);
    expect(await audit.verify()).toEqual({ ok: true, count: 2 });
  });

  it('detects rows cut from the end of the chain through its anchored head', async () => {
    const anchor = new AuditAnchor({ store: memoryStore(), prefix: 'test' });
    const { knex, audit } = await setup(databaseId, anchor);
    const events: AuditEvent[] = [];
    for (let i = 0; i < 5; i++) {
      events.push(
        await appendOne(audit, { type: 't', actor: 'a', data: { i } }),
      );
    }
    expect(await audit.verify()).toEqual({ ok: true, count: 5 });

    await tamper(knex, databaseId, db =>
      db(AUDIT_TABLE).where('seq', '>', events[2].seq).delete(),
    );
    // The shortened chain still links: only the anchor shows the cut.
    expect(
      await new AuditChain({ db: knex, tables: TABLES, keyring }).verify(),
    ).toEqual({ ok: true, count: 3 });
    expect(await audit.verify()).toEqual({
      ok: false,
      count: 3,
      brokenAt: {
        seq: events[4].seq,
        reason: expect.stringContaining('rows deleted from its end'),
      },
    });
  });

  it('names an emptied chain through its anchored head', async () => {
    const anchor = new AuditAnchor({ store: memoryStore(), prefix: 'test' });
    const { knex, audit } = await setup(databaseId, anchor);
    const events: AuditEvent[] = [];
    for (let i = 0; i < 3; i++) {
      events.push(await appendOne(audit, { type: 't', actor: 'a' }));
    }
    await tamper(knex, databaseId, db => db(AUDIT_TABLE).delete());
    expect(await audit.verify()).toEqual({
      ok: false,
      count: 0,
      brokenAt: {
        seq: events[2].seq,
        reason: expect.stringMatching(
          /ends at nothing \(no rows\).*rows deleted from its end/,
        ),
      },
    });
  });

  it('anchors the head after every chaining, under the fixed chain id, and names an edited anchor', async () => {
    const store = memoryStore();
    const anchor = new AuditAnchor({ store, prefix: 'test' });
    const { knex, audit } = await setup(databaseId, anchor);
    for (let i = 0; i < 3; i++) {
      await knex.transaction(trx =>
        audit.enqueue([{ type: 't', actor: 'a', data: { i } }], trx),
      );
      expect(await audit.chainPending({ wait: true })).toBe(1);
      // No throttle: the anchor names each new head at once.
      const head = await anchor.read(AUDIT_TABLE);
      const [newest] = await allEvents(knex);
      expect(head).toMatchObject({ seq: newest.seq, keyId: 'test-audit-1' });
    }
    const head = (await anchor.read(AUDIT_TABLE))!;
    await store.put(
      `test/audit-head/${AUDIT_TABLE}.json`,
      Buffer.from(JSON.stringify({ ...head, seq: head.seq - 1 })),
    );
    expect(await audit.verify()).toEqual({
      ok: false,
      count: 0,
      brokenAt: {
        seq: head.seq - 1,
        reason: 'the anchored head is not signed by a known audit key',
      },
    });
  });

  it('never chains a forged or altered pending row, and names it', async () => {
    const { knex, audit } = await setup(databaseId);
    await appendOne(audit, { type: 'real', actor: 'a' });
    // A row written straight into the pending table, without the key.
    await knex(PENDING_TABLE).insert({
      record_id: 'req-1',
      type: 'request.approved',
      actor: 'user:default/mallory',
      at: new Date(),
      data: '{}',
      key_id: 'test-audit-1',
      mac: '0'.repeat(64),
    });
    expect(await audit.chainPending({ wait: true })).toBe(0);
    expect(await audit.forRecord('req-1')).toEqual([]);
    const forged = await audit.verify();
    expect(forged).toMatchObject({
      ok: false,
      count: 1,
      brokenAt: { reason: expect.stringMatching(/^forged pending row \d+/) },
    });
    await knex(PENDING_TABLE).delete();

    // A genuine pending row whose content is edited before it is chained.
    await knex.transaction(trx =>
      audit.enqueue(
        [{ recordId: 'req-2', type: 'request.received', actor: 'alice' }],
        trx,
      ),
    );
    await knex(PENDING_TABLE).update({ actor: 'user:default/mallory' });
    expect(await audit.chainPending({ wait: true })).toBe(0);
    expect(await audit.verify()).toMatchObject({
      ok: false,
      brokenAt: { reason: expect.stringMatching(/^forged pending row/) },
    });
  });

  it('refuses TRUNCATE of the audit table on PostgreSQL', async () => {
    const { knex, audit } = await setup(databaseId);
    await appendOne(audit, { type: 't', actor: 'a' });
    const truncate = outcome(knex.raw(`TRUNCATE ${AUDIT_TABLE}`));
    // SQLite has no TRUNCATE (and no triggers): there verify and the anchor catch it.
    const truncateRefusal = isPg(databaseId) ? REFUSED_PATTERN : /syntax error/;
    expect(await truncate).toEqual(expect.stringMatching(truncateRefusal));
    expect(await audit.verify()).toEqual({ ok: true, count: 1 });
  });

  it('writes a change and the audit events of every row it returned, atomically', async () => {
    const { knex, audit } = await setup(databaseId);
    await knex.schema.createTable('things', table => {
      table.string('id').primary();
      table.string('state');
      table.integer('tries');
    });
    await knex('things').insert([
      { id: 'a', state: 'new', tries: 0 },
      { id: 'b', state: 'new', tries: 0 },
      { id: 'c', state: 'done', tries: 0 },
    ]);
    const rows = await audit.auditedWrite<{ id: string }>({
      statement: knex('things')
        .whereIn('id', ['a', 'b', 'c'])
        .where('state', 'new')
        .update({ state: 'done', tries: knex.raw('tries + 1') })
        .returning('*'),
      before: [knex('things').insert({ id: 'log', state: 'x', tries: 0 })],
      events: [{ type: 'thing.done', actor: 'test' }],
      eventsById: {
        b: [{ type: 'thing.extra', actor: 'test', data: { n: 1 } }],
      },
      fromRow: { tries: 'tries' },
    });
    expect(rows.map(row => row.id).sort()).toEqual(['a', 'b']);
    expect(await knex('things').where({ id: 'log' })).toHaveLength(1);
    // c did not change, so it has no events; b has its own after the shared one.
    const trail = async (id: string) =>
      (await audit.forRecord(id)).map(e => [e.type, e.data]);
    expect(await trail('a')).toEqual([['thing.done', { tries: 1 }]]);
    expect(await trail('b')).toEqual([
      ['thing.done', { tries: 1 }],
      ['thing.extra', { n: 1, tries: 1 }],
    ]);
    expect(await trail('c')).toEqual([]);
    expect(await audit.verify()).toEqual({ ok: true, count: 3 });
  });

  it('writes nothing, neither the change nor its events, when the statement fails', async () => {
    const { knex, audit } = await setup(databaseId);
    await knex.schema.createTable('things', table => {
      table.string('id').primary();
    });
    await knex('things').insert({ id: 'a' });
    await expect(
      audit.auditedWrite({
        statement: knex('things').insert({ id: 'a' }).returning('*'),
        before: [knex('things').insert({ id: 'b' })],
        events: [{ type: 'never', actor: 'test' }],
      }),
    ).rejects.toThrow();
    expect(await knex('things').select('id')).toEqual([{ id: 'a' }]);
    expect(await audit.forRecord('a')).toEqual([]);
  });

  it('drops its tables again', async () => {
    const { knex } = await setup(databaseId);
    await dropAuditChainTables(knex, TABLES);
    expect(await knex.schema.hasTable(AUDIT_TABLE)).toBe(false);
    expect(await knex.schema.hasTable(PENDING_TABLE)).toBe(false);
  });
});
