import {
  TestDatabaseId,
  TestDatabases,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { TEST_AUDIT_KEY } from '@internal/plugin-ops-node/testing';
// The real sibling backend, booted in the test (a devDependency).
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import privacyPlugin from '@internal/plugin-privacy-backend';
import knexFactory, { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createPrivacyCollector, sanitizeSlaReport } from '.';
import {
  evidenceServicesProbe,
  eventually,
  testContext,
} from './__testUtils__/siblings';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const key = () => randomBytes(32).toString('base64');
const SUBJECT = 'customer-4711';
const EMAIL = 'someone-4711@example.com';

describe('sanitizeSlaReport', () => {
  const row = {
    type: 'export',
    region: 'EU',
    total: 3,
    withinSla: 2,
    compliance: 2 / 3,
    objective: 0.95,
    p50Hours: 1,
    p95Hours: 2,
    p99Hours: 2,
    atRisk: 0,
    burnRate: 6.67,
  };

  it('keeps the documented figures and drops anything else, naming what it dropped', () => {
    const report = sanitizeSlaReport({
      windowDays: 30,
      objective: 0.95,
      rows: [{ ...row, subjectId: SUBJECT, lateRequests: [{ email: EMAIL }] }],
      requesters: [SUBJECT],
    });
    expect(report).toEqual({
      windowDays: 30,
      objective: 0.95,
      rows: [row],
      dropped: ['requesters', 'rows[].lateRequests', 'rows[].subjectId'],
    });
  });

  it('replaces a label that could be an identifier', () => {
    const report = sanitizeSlaReport({
      windowDays: 30,
      objective: 0.95,
      rows: [{ ...row, region: EMAIL }],
    });
    expect(report.rows[0].region).toBe('[redacted]');
    expect(JSON.stringify(report)).not.toContain(EMAIL);
  });

  it('refuses a row without the figures', () => {
    expect(() =>
      sanitizeSlaReport({
        windowDays: 30,
        objective: 0.95,
        rows: [{ type: 'x' }],
      }),
    ).toThrow(
      /privacy plugin.s SLA report row 0 is not an SLA row: total: Required/,
    );
  });
});

/** A data store holding the subject: a SQLite file with one table. */
async function createStore(dir: string): Promise<{ file: string; db: Knex }> {
  const file = join(dir, 'eu.sqlite');
  const db = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: file },
    useNullAsDefault: true,
  });
  await db.schema.createTable('customers', t => {
    t.string('customer_id');
    t.string('email');
  });
  await db('customers').insert({ customer_id: SUBJECT, email: EMAIL });
  return { file, db };
}

describe.each(databases.eachSupportedId())(
  'privacy collector against the real privacy backend on %p',
  databaseId => {
    let dir: string;
    let store: Knex | undefined;
    afterEach(async () => {
      await store?.destroy();
      store = undefined;
      await rm(dir, { recursive: true, force: true });
    });

    async function start(id: TestDatabaseId) {
      const knex = await databases.init(id);
      dir = await mkdtemp(join(tmpdir(), 'evidence-privacy-'));
      const eu = await createStore(dir);
      store = eu.db;
      const probe = evidenceServicesProbe();
      const { server } = await startTestBackend({
        features: [
          privacyPlugin,
          probe.feature,
          mockServices.database.factory({ knex }),
          mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
          catalogServiceMock.factory({
            entities: [
              {
                apiVersion: 'backstage.io/v1alpha1',
                kind: 'Resource',
                metadata: {
                  name: 'eu-db',
                  namespace: 'default',
                  annotations: {
                    'ops.portal/region': 'EU',
                    'privacy.ops.portal/connection': 'eu-store',
                  },
                },
                spec: { type: 'database', owner: 'group:default/engineering' },
              },
            ],
          }),
          mockServices.rootConfig.factory({
            data: {
              ops: {
                audit: { signingKey: TEST_AUDIT_KEY },
                storage: { directory: join(dir, 'blobs') },
                queue: { driver: 'memory', backoffSeconds: 0.01 },
              },
              privacy: {
                identifiers: {
                  key: { id: 'test-ids', key: key() },
                  pepper: key(),
                },
                regions: {
                  EU: {
                    masterKey: { id: 'eu-1', key: key() },
                    storage: { directory: join(dir, 'EU') },
                  },
                },
                connections: {
                  'eu-store': {
                    type: 'sql',
                    region: 'EU',
                    client: 'better-sqlite3',
                    connection: eu.file,
                    tables: [
                      {
                        table: 'customers',
                        subjectColumn: 'customer_id',
                        erase: 'delete-row',
                      },
                    ],
                  },
                },
              },
            },
          }),
        ],
      });
      return { server, knex, deps: probe.deps() };
    }

    it('files the SLA report without personal data and a verification of the audit chain', async () => {
      const { server, deps } = await start(databaseId);
      const created = await request(server)
        .post('/api/privacy/export')
        .send({
          subject: { id: SUBJECT, email: EMAIL },
          region: 'EU',
          jurisdiction: 'GDPR',
        });
      expect(created.status).toBe(201);
      await eventually(async () => {
        const { body } = await request(server).get(
          `/api/privacy/requests/${created.body.id}`,
        );
        expect(body.state).toBe('completed');
      });
      // The chainer links the request's events into the chain.
      await eventually(async () => {
        const { body } = await request(server).get('/api/privacy/audit/verify');
        expect(body.count).toBeGreaterThanOrEqual(4);
      });

      const collector = createPrivacyCollector(deps);
      expect(collector).toMatchObject({
        id: 'privacy',
        points: ['CC2.3', 'CC4.1'],
        cadence: 'weekly',
      });
      const ctx = testContext();
      const [sla, verification, ...rest] = await collector.collect(ctx);
      expect(rest).toEqual([]);

      expect(sla).toMatchObject({
        type: 'privacy.sla',
        points: ['CC2.3'],
        fileName: 'privacy-sla.json',
        mediaType: 'application/json',
        period: {
          start: new Date(ctx.now.getTime() - 30 * 86_400_000),
          end: ctx.now,
        },
        summary: { requests: 1, withinSla: 1, compliance: 1, objective: 0.95 },
      });
      const slaContent = JSON.parse(String(sla.content));
      expect(slaContent.rows).toContainEqual(
        expect.objectContaining({
          type: 'export',
          region: 'EU',
          total: 1,
          withinSla: 1,
          compliance: 1,
        }),
      );

      expect(verification).toMatchObject({
        type: 'privacy.audit-verification',
        points: ['CC4.1'],
        fileName: 'privacy-audit-verification.json',
        summary: { ok: true, events: expect.any(Number) },
      });
      const verified = JSON.parse(String(verification.content));
      expect(verified.result).toEqual({
        ok: true,
        count: (verification.summary as { events: number }).events,
      });

      const everything = [sla.content, verification.content, ...ctx.lines]
        .map(String)
        .join('\n');
      expect(everything).not.toContain(SUBJECT);
      expect(everything).not.toContain(EMAIL);
    });

    it('files a broken chain as broken, naming where', async () => {
      const { server, knex, deps } = await start(databaseId);
      for (const purpose of ['marketing', 'analytics', 'personalization']) {
        const res = await request(server)
          .post('/api/privacy/consent')
          .send({
            subject: { id: SUBJECT },
            purpose,
            granted: true,
            source: 'web-banner',
          });
        expect(res.status).toBe(201);
      }
      await eventually(async () => {
        const { body } = await request(server).get('/api/privacy/audit/verify');
        expect(body).toEqual({ ok: true, count: 3 });
      });
      // The first event altered in place, as an intruder with the database would.
      const [first] = await knex('privacy_audit_events').orderBy('seq', 'asc');
      if (databaseId.startsWith('POSTGRES')) {
        await knex.raw(
          'ALTER TABLE privacy_audit_events DISABLE TRIGGER privacy_audit_events_append_only',
        );
      }
      await knex('privacy_audit_events')
        .where({ seq: first.seq })
        .update({
          data: JSON.stringify({ ...JSON.parse(first.data), source: 'forged' }),
        });

      const ctx = testContext();
      const [, verification] = await createPrivacyCollector(deps).collect(ctx);
      expect(verification.summary).toEqual({
        ok: false,
        events: expect.any(Number),
        brokenAtSeq: Number(first.seq),
        reason: expect.any(String),
      });
      expect(verification.title).toMatch(
        new RegExp(`^Privacy audit chain broken at event ${first.seq}, `),
      );
      expect(JSON.parse(String(verification.content)).result.ok).toBe(false);
      expect(ctx.lines).toContainEqual(
        expect.stringMatching(/^Privacy audit chain BROKEN at event /),
      );
    });

    it('throws naming the privacy plugin and the status when it answers 500', async () => {
      const { knex, deps } = await start(databaseId);
      // The requests table gone: the SLA report fails inside the plugin.
      await knex.schema.renameTable(
        'privacy_requests',
        'privacy_requests_gone',
      );
      await expect(
        createPrivacyCollector(deps).collect(testContext()),
      ).rejects.toThrow(
        /^The privacy plugin answered 500 Internal Server Error to GET \/metrics\/sla/,
      );
    });
  },
);
