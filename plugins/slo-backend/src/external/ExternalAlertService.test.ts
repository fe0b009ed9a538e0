import { TestDatabases } from '@backstage/backend-test-utils';
import { AuditChain, Outbox } from '@internal/plugin-ops-node';
import { testAuditKeyring } from '@internal/plugin-ops-node/testing';
import {
  type ExternalAlert,
  externalAlertSchema,
} from '@internal/plugin-slo-common';
import type { Knex } from 'knex';
import { migrateSlo } from '../testing/sloTestDatabase';
import {
  EXTERNAL_ALERT_AUDIT_TYPE,
  ExternalAlertService,
} from './ExternalAlertService';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const NOW = new Date('2026-12-02T10:16:00Z');

const body = (overrides: Partial<ExternalAlert> = {}) =>
  externalAlertSchema.parse({
    source: 'security',
    alertId: 'brute-force:42',
    event: 'fired',
    severity: 'page',
    title: 'Brute force against alice@example.com',
    summary: '120 failed sign-ins from 203.0.113.9',
    at: '2026-12-02T10:15:00Z',
    link: '/security/alerts/42',
    fields: { user: 'alice@example.com' },
    ...overrides,
  });

describe.each(databases.eachSupportedId())(
  'ExternalAlertService on %p',
  databaseId => {
    let knex: Knex;
    let service: ExternalAlertService;
    beforeEach(async () => {
      knex = await databases.init(databaseId);
      await migrateSlo(knex);
      service = new ExternalAlertService({
        db: knex,
        outbox: new Outbox({ db: knex, table: 'slo_outbox', now: () => NOW }),
        audit: new AuditChain({
          db: knex,
          tables: { events: 'slo_audit_events', pending: 'slo_audit_pending' },
          keyring: testAuditKeyring(),
        }),
        routing: {
          security: { page: ['pager', 'inbox'], ticket: ['tickets'] },
        },
        links: { baseUrl: 'http://portal.test' },
        now: () => NOW,
      });
    });
    afterEach(() => knex.destroy());

    const outboxRows = () =>
      knex('slo_outbox')
        .orderBy('id')
        .select('idempotency_key', 'target', 'payload');
    const auditRows = () =>
      knex('slo_audit_pending')
        .where('type', EXTERNAL_ALERT_AUDIT_TYPE)
        .select();

    it('routes by severity, once: a repeat enqueues nothing and answers the same', async () => {
      const first = await service.receive('security', body());
      expect(first).toEqual({
        deliveries: [
          {
            target: 'pager',
            idempotencyKey: 'external:security:brute-force:42:fired:pager',
          },
          {
            target: 'inbox',
            idempotencyKey: 'external:security:brute-force:42:fired:inbox',
          },
        ],
      });
      expect(
        await service.receive('security', body({ title: 'Changed' })),
      ).toEqual(first);
      const rows = await outboxRows();
      expect(rows.map(r => r.target)).toEqual(['pager', 'inbox']);
      expect(JSON.parse(rows[0].payload)).toMatchObject({
        kind: 'external',
        dedupKey: 'security:brute-force:42',
        title: 'Brute force against alice@example.com',
        link: 'http://portal.test/security/alerts/42',
      });

      await service.receive('security', body({ event: 'resolved' }));
      await service.receive(
        'security',
        body({ alertId: 'scan:7', severity: 'ticket' }),
      );
      expect((await outboxRows()).map(r => r.idempotency_key)).toEqual([
        'external:security:brute-force:42:fired:pager',
        'external:security:brute-force:42:fired:inbox',
        'external:security:brute-force:42:resolved:pager',
        'external:security:brute-force:42:resolved:inbox',
        'external:security:scan:7:fired:tickets',
      ]);
    });

    it('audits each alert event once, with ids and routing but no personal data', async () => {
      await service.receive('security', body());
      await service.receive('security', body());
      const rows = await auditRows();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        record_id: expect.stringMatching(/^external:[0-9a-f]{27}$/),
        actor: 'service:plugin:security',
      });
      expect(JSON.parse(rows[0].data)).toEqual({
        source: 'security',
        alertId: 'brute-force:42',
        event: 'fired',
        severity: 'page',
        targets: ['pager', 'inbox'],
        enqueued: 2,
      });
      expect(JSON.stringify(rows)).not.toMatch(/alice|203\.0\.113/);
    });

    it('refuses a source other than the caller, and callers not configured, storing nothing', async () => {
      await expect(
        service.receive('security', body({ source: 'privacy' })),
      ).rejects.toThrow(
        "The source of an external alert must be the calling plugin's id: 'privacy' was sent by plugin 'security'",
      );
      expect(() => service.sourceOf('plugin:catalog')).toThrow(
        "External alert source 'catalog' is not configured (slo.notifications.external)",
      );
      expect(() => service.sourceOf('external:security')).toThrow(
        /backend plugins only/,
      );
      expect(service.sourceOf('plugin:security')).toBe('security');
      expect(await outboxRows()).toEqual([]);
      expect(await auditRows()).toEqual([]);
    });
  },
);
