import {
  TestDatabaseId,
  TestDatabases,
  mockServices,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { EcsFlat } from '@elastic/ecs/build/commonjs/ecs_flat';
import { testAuditKeyring } from '../testing/auditKeys';
import { AuditChain } from './AuditChain';
import { AuditChainer } from './AuditChainer';
import { CATEGORIZED_OPS_AUDIT_TYPES, auditEventToEcs } from './ecs';
import {
  CatalogServiceTargets,
  type ServiceTargetLookup,
} from './serviceTargets';
import { createAuditChainTables } from './tables';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const TABLES = { events: 'ecs_audit_events', pending: 'ecs_audit_pending' };
const SUBJECT_HASH = 'ab'.repeat(32);

type Line = { message: string; meta: Record<string, any> };

/** A logger that keeps what is logged at info. */
function capturingLogger(lines: Line[]): LoggerService {
  const logger: LoggerService = {
    info: (message, meta) => {
      lines.push({ message, meta: meta as Record<string, any> });
    },
    warn: () => {},
    error: () => {},
    debug: () => {},
    child: () => logger,
  };
  return logger;
}

async function setup(
  databaseId: TestDatabaseId,
  logEvents?: boolean,
  targets?: ServiceTargetLookup,
) {
  const knex = await databases.init(databaseId);
  await createAuditChainTables(knex, TABLES);
  const audit = new AuditChain({
    db: knex,
    tables: TABLES,
    keyring: testAuditKeyring(),
  });
  const lines: Line[] = [];
  const chainer = new AuditChainer(audit, capturingLogger(lines), 60_000, {
    logEvents,
    targets,
  });
  return { knex, audit, chainer, lines };
}

type FieldDef = {
  allowed_values?: Array<{ name: string; expected_event_types?: string[] }>;
};
const FIELDS = EcsFlat as unknown as Record<string, FieldDef>;

/** `{a: {b: 1}}` → `['a.b']`; arrays are leaves. */
function flatKeys(value: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(value).flatMap(([key, child]) =>
    child && typeof child === 'object' && !Array.isArray(child)
      ? flatKeys(child as Record<string, unknown>, `${prefix}${key}.`)
      : [`${prefix}${key}`],
  );
}

describe('auditEventToEcs', () => {
  it.each(CATEGORIZED_OPS_AUDIT_TYPES)(
    'maps %s to defined ECS fields with allowed values',
    type => {
      const fields = auditEventToEcs(
        {
          type,
          actor: 'user:default/alice',
          recordId: 'rec-1',
          at: '2026-12-01T10:00:00.000Z',
          seq: 3,
          hash: 'cd'.repeat(32),
          data: {
            subjectHash: SUBJECT_HASH,
            entityRef: 'component:default/payments',
            traceId: 'ef'.repeat(16),
          },
        },
        {
          target: {
            type: 'service',
            environment: 'production',
            owner: 'group:default/platform',
          },
        },
      );
      expect(fields.service?.target).toEqual({
        name: 'payments',
        id: 'component:default/payments',
        type: 'service',
        environment: 'production',
      });
      expect(fields.labels?.service_target_owner).toBe(
        'group:default/platform',
      );
      for (const key of flatKeys(
        fields as unknown as Record<string, unknown>,
      )) {
        const name = key.startsWith('labels.') ? 'labels' : key;
        expect({ key, defined: name in FIELDS }).toEqual({
          key,
          defined: true,
        });
      }
      const [category] = fields.event.category;
      const allowed = FIELDS['event.category'].allowed_values!.find(
        value => value.name === category,
      );
      expect(allowed?.expected_event_types).toContain(fields.event.type[0]);
      expect(
        FIELDS['event.outcome'].allowed_values!.map(value => value.name),
      ).toContain(fields.event.outcome);
    },
  );
});

describe.each(databases.eachSupportedId())(
  'AuditChainer ECS lines on %p',
  databaseId => {
    it('logs one ECS line per chained event, once', async () => {
      const { knex, audit, chainer, lines } = await setup(databaseId);
      chainer.start();
      await knex.transaction(trx =>
        audit.enqueue(
          [
            {
              recordId: 'req-1',
              type: 'request.received',
              actor: 'user:default/alice',
              data: { subjectHash: SUBJECT_HASH },
              at: new Date('2026-12-01T10:00:00.000Z'),
            },
            {
              recordId: 'hold-1',
              type: 'legal_hold.placed',
              actor: 'user:default/bob',
              data: { outcome: 'failed' },
            },
          ],
          trx,
        ),
      );
      await audit.verify(); // chains here; the chainer's listener logs them
      await audit.append([{ type: 'drill.started', actor: 'user:default/c' }]);
      await chainer.stop();
      await audit.chainPending({ wait: true }); // nothing left: no new lines

      expect(lines.map(line => line.message)).toEqual([
        'audit request.received',
        'audit legal_hold.placed',
        'audit drill.started',
      ]);
      expect(lines[0].meta).toEqual({
        event: {
          kind: 'event',
          category: ['database'],
          type: ['info'],
          action: 'privacy.request.received',
          outcome: 'success',
          created: '2026-12-01T10:00:00.000Z',
          id: expect.stringMatching(/^[0-9a-f]{64}$/),
          sequence: expect.any(Number),
          module: 'ops',
          dataset: 'ops.audit',
        },
        user: {
          id: 'user:default/alice',
          name: 'alice',
          target: { id: SUBJECT_HASH },
        },
        service: { name: 'privacy' },
        labels: { record_id: 'req-1' },
        related: { user: ['user:default/alice'] },
      });
      expect(lines[1].meta).toMatchObject({
        event: {
          category: ['configuration'],
          type: ['creation'],
          outcome: 'failure',
        },
        labels: { record_id: 'hold-1', ops_privileged: 'true' },
      });
      expect(lines[2].meta.service).toEqual({ name: 'drills' });
    });

    it('never puts raw personal data of the event into the line', async () => {
      const { knex, audit, chainer, lines } = await setup(databaseId);
      chainer.start();
      await knex.transaction(trx =>
        audit.enqueue(
          [
            {
              recordId: 'req-2',
              type: 'export.created',
              actor: 'user:default/alice',
              data: {
                email: 'jane.doe@example.com',
                subjectId: 'subject-4711',
                subjectHash: 'jane.doe@example.com',
                note: 'for subject-4711',
              },
            },
          ],
          trx,
        ),
      );
      await chainer.stop();
      expect(lines).toHaveLength(1);
      const text = JSON.stringify(lines[0]);
      expect(text).not.toContain('jane.doe');
      expect(text).not.toContain('4711');
      expect(lines[0].meta.user.target).toBeUndefined();
    });

    it('never logs events that roll back', async () => {
      const { knex, audit, chainer, lines } = await setup(databaseId);
      chainer.start();
      const entry = (type: string) => ({ type, actor: 'user:default/a' });
      await expect(
        knex.transaction(async trx => {
          await audit.enqueue([entry('drill.rolled_back_pending')], trx);
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      await knex.transaction(async trx => {
        await audit.append([entry('drill.rolled_back_append')], trx);
        await trx.rollback();
      });
      await knex.transaction(async trx => {
        await audit.append([entry('drill.committed_append')], trx);
      });
      await knex.transaction(trx =>
        audit.enqueue([entry('drill.committed_pending')], trx),
      );
      await chainer.stop();
      expect(lines.map(line => line.message).sort()).toEqual([
        'audit drill.committed_append',
        'audit drill.committed_pending',
      ]);
    });

    it('names the catalog entity acted on as service.target, with what the catalog says of it', async () => {
      const catalog = catalogServiceMock({
        entities: [
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: { name: 'checkout', namespace: 'default' },
            spec: {
              type: 'service',
              lifecycle: 'production',
              owner: 'engineering',
            },
          },
        ],
      });
      const targets = new CatalogServiceTargets({
        catalog,
        auth: mockServices.auth(),
      });
      const { audit, chainer, lines } = await setup(databaseId, true, targets);
      chainer.start();
      const event = (entityRef: string) => ({
        type: 'rollback.completed',
        actor: 'user:default/alice',
        data: { entityRef },
      });
      await audit.append([
        event('component:default/checkout'),
        event('component:default/unknown'),
        event('user:default/bob'),
      ]);
      await audit.append([{ type: 'drill.started', actor: 'user:default/c' }]);
      await chainer.logged();

      // In chain order, though only the first batch waited for the catalog.
      expect(lines.map(line => line.meta.service)).toEqual([
        {
          name: 'scaffolder',
          target: {
            name: 'checkout',
            id: 'component:default/checkout',
            type: 'service',
            environment: 'production',
          },
        },
        {
          name: 'scaffolder',
          target: { name: 'unknown', id: 'component:default/unknown' },
        },
        { name: 'scaffolder' },
        { name: 'drills' },
      ]);
      expect(lines[0].meta.labels).toEqual({
        ops_privileged: 'true',
        service_target_owner: 'group:default/engineering',
      });
      await chainer.stop();
    });

    it('logs every line, without the facts, when the catalog fails', async () => {
      const catalog = catalogServiceMock.mock({
        getEntitiesByRefs: async () => {
          throw new Error('catalog down');
        },
      });
      const warnings: string[] = [];
      const targets = new CatalogServiceTargets({
        catalog,
        auth: mockServices.auth(),
        logger: { warn: message => warnings.push(message) },
      });
      const { audit, chainer, lines } = await setup(databaseId, true, targets);
      chainer.start();
      await audit.append([
        {
          type: 'rollback.completed',
          actor: 'user:default/alice',
          data: { entityRef: 'component:default/checkout' },
        },
      ]);
      await chainer.stop();
      expect(lines.map(line => line.meta.service)).toEqual([
        {
          name: 'scaffolder',
          target: { name: 'checkout', id: 'component:default/checkout' },
        },
      ]);
      expect(warnings).toEqual([expect.stringContaining('catalog down')]);
    });

    it('logs nothing when turned off', async () => {
      const { audit, chainer, lines } = await setup(databaseId, false);
      chainer.start();
      await audit.append([{ type: 'alert.fired', actor: 'user:default/a' }]);
      await chainer.stop();
      expect(lines).toEqual([]);
    });
  },
);
