import { resolvePackagePath } from '@backstage/backend-plugin-api';
import {
  TestDatabaseId,
  TestDatabases,
  mockServices,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  AuditChain,
  AuditChainer,
  Outbox,
  OutboxWorker,
  readAuditKeyring,
} from '@internal/plugin-ops-node';
import { TEST_AUDIT_KEY } from '@internal/plugin-ops-node/testing';
import { ActionRecorder, changeDeliveryKey } from './ActionRecorder';
import { EVIDENCE_TARGET, changeEvidenceDeliverer } from './evidenceDeliverer';
import { kubernetesRollbackChange } from './rollbackChanges';
import {
  OPS_ACTIONS_AUDIT_TABLES,
  OPS_ACTIONS_EVIDENCE_TABLE,
  OPS_ACTIONS_MIGRATIONS_TABLE,
  OPS_ACTIONS_OUTBOX_TABLE,
} from './tables';
import { FakeEvidenceChanges } from './__testUtils__/fakeEvidenceChanges';
import { kubernetesRecord, taskUrl } from './__testUtils__/records';

// A budget for a loaded machine and a database start, not a speed check.
jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const migrations = resolvePackagePath(
  '@internal/plugin-scaffolder-backend-module-ops',
  'migrations',
);

describe.each(databases.eachSupportedId())('ActionRecorder on %p', id => {
  let evidence: FakeEvidenceChanges;

  beforeEach(async () => {
    evidence = await FakeEvidenceChanges.start();
  });
  afterEach(() => evidence.stop());

  /** The module's wiring (module.ts) on a migrated database, with a clock the test moves. */
  async function setup(databaseId: TestDatabaseId, options = { filing: true }) {
    const db = await databases.init(databaseId);
    await db.migrate.latest({
      directory: migrations,
      tableName: OPS_ACTIONS_MIGRATIONS_TABLE,
    });
    let nowMs = Date.parse('2026-12-15T10:00:00.000Z');
    const now = () => new Date(nowMs);
    const audit = new AuditChain({
      db,
      tables: OPS_ACTIONS_AUDIT_TABLES,
      keyring: readAuditKeyring(
        new ConfigReader({ ops: { audit: { signingKey: TEST_AUDIT_KEY } } }),
        { allowCommittedKeys: false },
      ),
    });
    const outbox = new Outbox({ db, table: OPS_ACTIONS_OUTBOX_TABLE, now });
    const recorder: ActionRecorder = new ActionRecorder({
      db,
      audit,
      outbox: options.filing ? outbox : undefined,
      deliverNow: deliverDue,
    });
    const worker: OutboxWorker = new OutboxWorker({
      outbox,
      deliverers: {
        [EVIDENCE_TARGET]: changeEvidenceDeliverer({
          baseUrl: async () => evidence.baseUrl,
          headers: async () => ({ authorization: 'Bearer service-token' }),
          recordFiled: (key, itemId) => recorder.recordFiled(key, itemId),
        }),
      },
      now,
      random: () => 0,
    });
    async function deliverDue(): Promise<unknown> {
      return worker.deliverDue();
    }
    return {
      db,
      audit,
      outbox,
      worker,
      recorder,
      advance: (ms: number) => {
        nowMs += ms;
      },
    };
  }

  const rollback = (overrides = {}) =>
    kubernetesRollbackChange(kubernetesRecord(overrides), taskUrl);

  it('audits a change and files it once: filed, with the item id', async () => {
    const { audit, outbox, recorder } = await setup(id);
    const { change, entry } = rollback();

    const result = await recorder.recordChange(change, entry);

    expect(evidence.requests).toHaveLength(1);
    const [request] = evidence.requests;
    expect(request.status).toBe(201);
    expect(request.body).toEqual(change);
    expect(request.authorization).toBe('Bearer service-token');
    expect(request.idempotencyKey).toBe(changeDeliveryKey(change.key));
    const item = evidence.items.get(change.key)!;
    expect(result).toEqual({ state: 'filed', itemId: item.id });
    expect(await recorder.evidenceOf(change.key)).toEqual(result);
    expect((await outbox.getByKey(changeDeliveryKey(change.key)))?.state).toBe(
      'delivered',
    );

    const events = await audit.forRecord(kubernetesRecord().taskId);
    expect(events).toEqual([
      expect.objectContaining({
        type: 'rollback.completed',
        actor: 'user:default/amy',
        data: expect.objectContaining({
          strategy: 'kubernetes',
          entityRef: 'component:default/payments',
          changeKey: change.key,
          before: { revision: 3, images: ['registry.example.com/pay:2'] },
          after: { revision: 2, images: ['registry.example.com/pay:1'] },
        }),
      }),
    ]);
    expect(await audit.verify()).toEqual({ ok: true, count: 1 });
  });

  it('links the event into the chain with the AuditChainer the module runs', async () => {
    const { db, audit, recorder } = await setup(id);
    const { change, entry } = rollback();
    await recorder.recordChange(change, entry);

    const chainer = new AuditChainer(audit, mockServices.logger.mock());
    chainer.start();
    await chainer.stop();

    const chained = await db(OPS_ACTIONS_AUDIT_TABLES.events).select(
      'type',
      'record_id',
    );
    expect(chained).toEqual([
      { type: 'rollback.completed', record_id: kubernetesRecord().taskId },
    ]);
    const [{ n }] = await db(OPS_ACTIONS_AUDIT_TABLES.pending).count('* as n');
    expect(Number(n)).toBe(0);
  });

  it('keeps the filing pending while the evidence plugin is down, and files it once it is back', async () => {
    const { worker, recorder, advance } = await setup(id);
    const { change, entry } = rollback();
    await evidence.stop();

    const result = await recorder.recordChange(change, entry);

    expect(result).toEqual({ state: 'pending' });
    expect(evidence.requests).toHaveLength(0);
    // The event is on record although nothing was filed.
    expect(await recorder.evidenceOf(change.key)).toEqual({
      state: 'pending',
    });

    await evidence.start();
    // Not due before its backoff has passed: nothing is sent.
    expect((await worker.deliverDue()).claimed).toBe(0);
    advance(60_000);
    expect(await worker.deliverDue()).toMatchObject({
      claimed: 1,
      delivered: 1,
    });

    expect(evidence.requests.map(r => r.status)).toEqual([201]);
    expect(evidence.items.size).toBe(1);
    expect(await recorder.evidenceOf(change.key)).toEqual({
      state: 'filed',
      itemId: evidence.items.get(change.key)!.id,
    });
    // Delivered: a later run sends nothing.
    advance(3_600_000);
    expect((await worker.deliverDue()).claimed).toBe(0);
    expect(evidence.requests).toHaveLength(1);
  });

  it('files a change whose answer was lost once: the retry gets the same item', async () => {
    const { worker, recorder, advance } = await setup(id);
    const { change, entry } = rollback();
    evidence.dropNextReply = true;

    expect(await recorder.recordChange(change, entry)).toEqual({
      state: 'pending',
    });
    const filedId = evidence.items.get(change.key)!.id;

    advance(60_000);
    await worker.deliverDue();

    expect(evidence.requests.map(r => r.status)).toEqual([0, 200]);
    expect(evidence.items.size).toBe(1);
    expect(await recorder.evidenceOf(change.key)).toEqual({
      state: 'filed',
      itemId: filedId,
    });
  });

  it('files a change key once however often it is recorded', async () => {
    const { db, recorder } = await setup(id);
    const { change, entry } = rollback();

    const first = await recorder.recordChange(change, entry);
    const second = await recorder.recordChange(change, entry);

    expect(second).toEqual(first);
    expect(first.state).toBe('filed');
    expect(evidence.requests).toHaveLength(1);
    expect(evidence.items.size).toBe(1);
    const [{ n }] = await db(OPS_ACTIONS_OUTBOX_TABLE).count('* as n');
    expect(Number(n)).toBe(1);
    const filed = await db(OPS_ACTIONS_EVIDENCE_TABLE).select('change_key');
    expect(filed).toEqual([{ change_key: change.key }]);
  });

  it('with filing off, only audits: state off, nothing queued or sent', async () => {
    const { db, audit, recorder } = await setup(id, { filing: false });
    const { change, entry } = rollback();

    expect(await recorder.recordChange(change, entry)).toEqual({
      state: 'off',
    });
    expect(await recorder.evidenceOf(change.key)).toEqual({ state: 'off' });

    expect(evidence.requests).toHaveLength(0);
    const [{ n }] = await db(OPS_ACTIONS_OUTBOX_TABLE).count('* as n');
    expect(Number(n)).toBe(0);
    const events = await audit.forRecord(kubernetesRecord().taskId);
    expect(events.map(e => e.type)).toEqual(['rollback.completed']);
  });

  it('dead-letters a change the evidence plugin refuses (400) without retrying it', async () => {
    const { worker, recorder, outbox, advance } = await setup(id);
    // Not a full entity ref: the plugin's schema refuses it.
    const { change, entry } = rollback();
    const refused = { ...change, entityRef: 'payments' };

    expect(await recorder.recordChange(refused, entry)).toEqual({
      state: 'dead',
    });
    expect(evidence.requests.map(r => r.status)).toEqual([400]);
    const delivery = await outbox.getByKey(changeDeliveryKey(change.key));
    expect(delivery).toMatchObject({
      state: 'dead',
      lastStatus: 400,
      lastError: 'HTTP 400 filing a change record',
    });

    advance(3_600_000);
    expect((await worker.deliverDue()).claimed).toBe(0);
    expect(evidence.requests).toHaveLength(1);
  });

  it('audits a single event in its own transaction', async () => {
    const { audit, recorder } = await setup(id);
    await recorder.audit({
      type: 'scaffolder.action',
      actor: 'user:default/amy',
      recordId: 'task-1',
      data: { action: 'ops:evidence:collect', outcome: 'succeeded' },
    });
    expect(await audit.forRecord('task-1')).toEqual([
      expect.objectContaining({
        type: 'scaffolder.action',
        actor: 'user:default/amy',
        data: { action: 'ops:evidence:collect', outcome: 'succeeded' },
      }),
    ]);
  });
});
