import {
  TestDatabaseId,
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import knexFactory, { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { readExportArchive } from './exports/bundle';
import { resourceEntity } from './testing/harness';
import { startPrivacyTestBackend } from './testing/__testUtils__/testBackend';
import { privacyPlugin } from './plugin';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const key = () => randomBytes(32).toString('base64');
const SUBJECT = 'customer-42';

/** A data store: a SQLite file with customers and orders, the subject and someone else in it. */
async function createStore(
  dir: string,
  name: string,
): Promise<{ file: string; db: Knex }> {
  const file = join(dir, `${name}.sqlite`);
  const db = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: file },
    useNullAsDefault: true,
  });
  await db.schema.createTable('customers', t => {
    t.string('customer_id');
    t.string('email');
  });
  await db.schema.createTable('orders', t => {
    t.string('id');
    t.string('customer_id');
    t.string('address');
  });
  for (const subject of [SUBJECT, 'customer-7']) {
    await db('customers').insert({
      customer_id: subject,
      email: `${subject}@example.com`,
    });
    for (let i = 0; i < 5; i++) {
      await db('orders').insert({
        id: `${subject}-${i}`,
        customer_id: subject,
        address: 'Somewhere 1',
      });
    }
  }
  return { file, db };
}

const openStores: Knex[] = [];
afterEach(async () => {
  await Promise.all(openStores.splice(0).map(db => db.destroy()));
});

const tables = [
  { table: 'customers', subjectColumn: 'customer_id', erase: 'delete-row' },
  {
    table: 'orders',
    subjectColumn: 'customer_id',
    erase: 'columns',
    columns: { address: 'redact' },
  },
];

async function startPrivacy(
  databaseId: TestDatabaseId,
  options: {
    permission?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
    perMinute?: number;
    /** ops.api: false starts a worker-only process. */
    api?: boolean;
  } = {},
) {
  const knex = await databases.init(databaseId);
  const dir = mkdtempSync(join(tmpdir(), 'privacy-test-'));
  const eu = await createStore(dir, 'eu');
  const us = await createStore(dir, 'us');
  const { server } = await startPrivacyTestBackend({
    knex,
    dir,
    permissions: mockServices.permissions.factory({
      result: options.permission ?? AuthorizeResult.ALLOW,
    }),
    entities: [
      resourceEntity('eu-db', 'EU', 'eu-store'),
      resourceEntity('us-db', 'US', 'us-store'),
    ],
    ops: {
      api: options.api ?? true,
      queue: { driver: 'memory', backoffSeconds: 0.01 },
    },
    privacy: {
      intakeRateLimit: { perMinute: options.perMinute ?? 1000 },
      regions: {
        EU: {
          masterKey: { id: 'eu-1', key: key() },
          storage: { directory: join(dir, 'EU') },
        },
        US: {
          masterKey: { id: 'us-1', key: key() },
          storage: { directory: join(dir, 'US') },
        },
      },
      connections: {
        'eu-store': {
          type: 'sql',
          region: 'EU',
          client: 'better-sqlite3',
          connection: eu.file,
          tables,
        },
        'us-store': {
          type: 'sql',
          region: 'US',
          client: 'better-sqlite3',
          connection: us.file,
          tables,
        },
      },
    },
  });
  const count = async () =>
    Number((await knex('privacy_requests').count({ n: '*' }))[0].n);
  openStores.push(eu.db, us.db);
  return { server, knex, count, eu: eu.db, us: us.db, dir };
}

/**
 * Polls the request's status until it is `state`, as another backend: a
 * service never sees the subject id, so polling writes no subject.revealed
 * event into the request's audit trail.
 */
async function waitForState(server: any, id: string, state: string) {
  const poll = () =>
    request(server)
      .get(`/api/privacy/status/${id}`)
      .set('Authorization', mockCredentials.service.header());
  for (let i = 0; i < 200; i++) {
    const { body } = await poll();
    if (body.state === state) return body;
    await new Promise(r => setTimeout(r, 50));
  }
  const { body } = await poll();
  throw new Error(
    `request ${id} stayed ${body.state} (${body.lastError}), expected ${state}`,
  );
}

const intake = (region = 'EU') => ({
  subject: { id: SUBJECT, email: 'someone@example.com' },
  region,
  jurisdiction: region === 'US' ? 'CCPA' : 'GDPR',
  priority: 'HIGH',
});

describe.each(databases.eachSupportedId())(
  'privacy backend on %p',
  databaseId => {
    it('answers /health without credentials', async () => {
      const { server } = await startPrivacy(databaseId);
      const response = await request(server)
        .get('/api/privacy/health')
        .set('Authorization', mockCredentials.none.header());
      expect(response.status).toBe(200);
    });

    it('serves only /health in a worker-only process (ops.api: false)', async () => {
      const { server, count } = await startPrivacy(databaseId, { api: false });
      expect((await request(server).get('/api/privacy/health')).status).toBe(
        200,
      );
      const submitted = await request(server)
        .post('/api/privacy/export')
        .send({ subject: { id: SUBJECT }, region: 'EU', jurisdiction: 'GDPR' });
      expect(submitted.status).toBe(404);
      expect((await request(server).get('/api/privacy/requests')).status).toBe(
        404,
      );
      expect(await count()).toBe(0);
    });

    it('exports a subject from its region into an encrypted bundle and serves it, audited', async () => {
      const { server } = await startPrivacy(databaseId);
      const created = await request(server)
        .post('/api/privacy/export')
        .send(intake('EU'));
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        type: 'export',
        state: 'queued',
        subjectId: SUBJECT,
        priority: 10,
      });
      expect(
        Date.parse(created.body.slaDueAt) - Date.parse(created.body.createdAt),
      ).toBe(24 * 3600 * 1000);

      const done = await waitForState(server, created.body.id, 'completed');
      expect(done.sources).toEqual([
        expect.objectContaining({
          source: 'resource:default/eu-db',
          status: 'done',
          records: 6,
        }),
      ]);
      expect(done.export).toMatchObject({ keyId: 'eu-1' });

      const download = await request(server)
        .get(`/api/privacy/exports/${done.export.id}/download`)
        .buffer(true)
        .parse((res, callback) => {
          const chunks: Buffer[] = [];
          res.on('data', chunk => chunks.push(chunk));
          res.on('end', () => callback(null, Buffer.concat(chunks)));
        });
      expect(download.status).toBe(200);
      const archive = readExportArchive(download.body);
      expect(archive.manifest.files).toHaveLength(1);
      expect(archive.files[0].records.orders).toHaveLength(5);

      const audit = await request(server).get(
        `/api/privacy/requests/${created.body.id}/audit`,
      );
      expect(audit.body.events.map((e: { type: string }) => e.type)).toEqual([
        'request.received',
        'request.state_changed',
        'request.state_changed',
        'request.state_changed',
        'export.created',
        'export.downloaded',
      ]);
      expect(JSON.stringify(audit.body)).not.toContain(SUBJECT);
      expect(
        (await request(server).get('/api/privacy/audit/verify')).body,
      ).toMatchObject({ ok: true });
    });

    it('erases only after a second person approves, proves it, and never touches another region', async () => {
      const { server, eu, us } = await startPrivacy(databaseId);
      const created = await request(server)
        .post('/api/privacy/delete')
        .send(intake('EU'));
      expect(created.body.state).toBe('awaiting_approval');

      const self = await request(server).post(
        `/api/privacy/requests/${created.body.id}/approve`,
      );
      expect(self.status).toBe(403);

      const approved = await request(server)
        .post(`/api/privacy/requests/${created.body.id}/approve`)
        .set(
          'Authorization',
          mockCredentials.user.header('user:default/approver'),
        );
      expect(approved.status).toBe(200);
      expect(approved.body.approvedBy).toBe('user:default/approver');

      const done = await waitForState(server, created.body.id, 'completed');
      // The region's one data store, and the export bundles in storage.
      expect(done.erasureProof).toMatchObject({ sources: 2, remaining: 0 });
      expect(
        await eu('customers').where({ customer_id: SUBJECT }),
      ).toHaveLength(0);
      expect(await eu('orders').where({ customer_id: SUBJECT })).toHaveLength(
        0,
      );
      expect(
        await eu('customers').where({ customer_id: 'customer-7' }),
      ).toHaveLength(1);
      // The US store holds the same subject and was not touched by an EU request.
      expect(
        await us('customers').where({ customer_id: SUBJECT }),
      ).toHaveLength(1);
      expect(
        await us('orders').where({
          customer_id: SUBJECT,
          address: 'Somewhere 1',
        }),
      ).toHaveLength(5);
    });

    it("deletes the subject's earlier export bundle with the erasure: gone from storage, its download answers 410", async () => {
      const { server, dir } = await startPrivacy(databaseId);
      const exported = await request(server)
        .post('/api/privacy/export')
        .send(intake('EU'));
      const done = await waitForState(server, exported.body.id, 'completed');
      const file = join(dir, 'EU', 'exports', `${exported.body.id}.zip.enc`);
      expect(existsSync(file)).toBe(true);
      const url = `/api/privacy/exports/${done.export.id}/download`;
      expect((await request(server).get(url)).status).toBe(200);

      const erasure = await request(server)
        .post('/api/privacy/delete')
        .send(intake('EU'));
      await request(server)
        .post(`/api/privacy/requests/${erasure.body.id}/approve`)
        .set(
          'Authorization',
          mockCredentials.user.header('user:default/approver'),
        )
        .expect(200);
      const erased = await waitForState(server, erasure.body.id, 'completed');
      expect(erased.sources).toContainEqual(
        expect.objectContaining({
          source: 'export-bundles',
          status: 'done',
          records: 1,
          remaining: 0,
        }),
      );
      expect(erased.erasureProof).toMatchObject({ remaining: 0 });
      expect(existsSync(file)).toBe(false);

      const gone = await request(server).get(url);
      expect(gone.status).toBe(410);
      expect(gone.body.error.message).toContain('the subject was erased');
    });

    it('holds erasures of a subject under legal hold until the hold is released', async () => {
      const { server, eu } = await startPrivacy(databaseId);
      const erasure = await request(server)
        .post('/api/privacy/delete')
        .send(intake('EU'));
      const hold = await request(server)
        .post('/api/privacy/holds')
        .send({
          subject: { id: SUBJECT },
          reason: 'Litigation hold, case 2026-114',
        });
      expect(hold.status).toBe(201);
      expect(hold.body.held).toBe(1);
      const status = await request(server).get(
        `/api/privacy/status/${erasure.body.id}`,
      );
      expect(status.body.state).toBe('on_hold');
      const approver = mockCredentials.user.header('user:default/approver');
      const blocked = await request(server)
        .post(`/api/privacy/requests/${erasure.body.id}/approve`)
        .set('Authorization', approver);
      expect(blocked.status).toBe(409);

      const released = await request(server).post(
        `/api/privacy/holds/${hold.body.id}/release`,
      );
      expect(released.body).toEqual({ released: 1 });
      expect(
        (
          await request(server).post(
            `/api/privacy/holds/${hold.body.id}/release`,
          )
        ).status,
      ).toBe(409);
      await request(server)
        .post(`/api/privacy/requests/${erasure.body.id}/approve`)
        .set('Authorization', approver)
        .expect(200);
      await waitForState(server, erasure.body.id, 'completed');
      expect(
        await eu('customers').where({ customer_id: SUBJECT }),
      ).toHaveLength(0);
    });

    it('answers 409 for illegal transitions and changes nothing', async () => {
      const { server } = await startPrivacy(databaseId);
      const created = await request(server)
        .post('/api/privacy/export')
        .send(intake('EU'));
      await waitForState(server, created.body.id, 'completed');
      const approve = await request(server)
        .post(`/api/privacy/requests/${created.body.id}/approve`)
        .set(
          'Authorization',
          mockCredentials.user.header('user:default/approver'),
        );
      expect(approve.status).toBe(409);
      const cancel = await request(server).post(
        `/api/privacy/requests/${created.body.id}/cancel`,
      );
      expect(cancel.status).toBe(409);
      expect(
        (await request(server).get(`/api/privacy/status/${created.body.id}`))
          .body.state,
      ).toBe('completed');
    });

    it('returns the open request for a duplicate and honours Idempotency-Key', async () => {
      const { server, count } = await startPrivacy(databaseId);
      const first = await request(server)
        .post('/api/privacy/delete')
        .send(intake());
      const duplicate = await request(server)
        .post('/api/privacy/delete')
        .send(intake());
      expect(duplicate.status).toBe(200);
      expect(duplicate.body.id).toBe(first.body.id);

      const keyed = await request(server)
        .post('/api/privacy/delete')
        .set('Idempotency-Key', 'k-1')
        .send(intake('US'));
      const again = await request(server)
        .post('/api/privacy/delete')
        .set('Idempotency-Key', 'k-1')
        .send(intake('US'));
      expect(keyed.status).toBe(201);
      expect(again.status).toBe(200);
      expect(again.body.id).toBe(keyed.body.id);
      expect(await count()).toBe(2);
    });

    it('creates one request when identical requests arrive at the same instant', async () => {
      const { server, count } = await startPrivacy(databaseId);
      const responses = await Promise.all(
        Array.from({ length: 8 }, () =>
          request(server).post('/api/privacy/delete').send(intake()),
        ),
      );
      const statuses = responses.map(response => response.status).sort();
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
      expect(new Set(responses.map(response => response.body.id)).size).toBe(1);
      expect(await count()).toBe(1);
    });

    it.each([
      [{ ...intake(), region: 'MARS' }, 'region'],
      [{ ...intake(), subject: { id: '' } }, 'subject.id'],
      [
        { ...intake(), subject: { id: 'x', email: 'not-an-email' } },
        'subject.email',
      ],
      [{ ...intake(), priority: 3 }, 'priority'],
      [{ region: 'EU', jurisdiction: 'GDPR' }, 'subject'],
      [{ ...intake(), extra: true }, 'extra'],
    ])(
      'rejects a bad body %# with a 400 naming %p and writes nothing',
      async (body, field) => {
        const { server, count } = await startPrivacy(databaseId);
        const response = await request(server)
          .post('/api/privacy/export')
          .send(body);
        expect(response.status).toBe(400);
        expect(response.body.error.message).toContain(field);
        expect(await count()).toBe(0);
      },
    );

    it('pages, filters and sorts the request list on the server', async () => {
      const { server } = await startPrivacy(databaseId);
      for (let i = 0; i < 5; i++) {
        await request(server)
          .post('/api/privacy/delete')
          .send({
            ...intake(),
            subject: { id: `subject-${i}` },
            priority: i === 2 ? 'URGENT' : 'LOW',
          })
          .expect(201);
      }
      const page = await request(server).get(
        '/api/privacy/requests?limit=2&offset=4&type=delete',
      );
      expect(page.body).toMatchObject({ totalCount: 5, limit: 2, offset: 4 });
      expect(page.body.items[0].subjectId).toBe('subject-0');
      const urgent = await request(server).get(
        '/api/privacy/requests?sort=priority&order=desc&limit=1',
      );
      expect(urgent.body.items[0].subjectId).toBe('subject-2');
      expect(
        (await request(server).get('/api/privacy/requests?priority=URGENT'))
          .body.totalCount,
      ).toBe(1);
      expect(
        (await request(server).get('/api/privacy/requests?overdue=true')).body
          .totalCount,
      ).toBe(0);
      expect(
        (await request(server).get('/api/privacy/requests?limit=1000')).status,
      ).toBe(400);
      expect(
        (await request(server).get('/api/privacy/requests?sort=subject'))
          .status,
      ).toBe(400);
      // The deepest page is at offset 10000; deeper is refused, saying why.
      expect(
        (await request(server).get('/api/privacy/requests?offset=10000')).body
          .items,
      ).toEqual([]);
      const deep = await request(server).get(
        '/api/privacy/requests?offset=10001',
      );
      expect(deep.status).toBe(400);
      expect(deep.body.error.message).toContain('offset: at most 10000');
    });

    it('records consent changes with their history', async () => {
      const { server } = await startPrivacy(databaseId);
      const change = {
        subject: { id: SUBJECT },
        purpose: 'marketing',
        source: 'web-banner',
      };
      await request(server)
        .post('/api/privacy/consent')
        .send({ ...change, granted: true })
        .expect(201);
      await request(server)
        .post('/api/privacy/consent')
        .send({ ...change, granted: false })
        .expect(201);
      const state = await request(server)
        .post('/api/privacy/consent/lookup')
        .send({ subject: { id: SUBJECT } })
        .expect(200);
      expect(state.body.current.marketing.granted).toBe(false);
      expect(state.body.history).toHaveLength(2);
      // The lookup takes no subject in its URL any more.
      expect(
        (await request(server).get(`/api/privacy/consent/${SUBJECT}`)).status,
      ).toBe(404);
      const badLookup = await request(server)
        .post('/api/privacy/consent/lookup')
        .send({ subjectId: SUBJECT });
      expect(badLookup.status).toBe(400);
      expect(badLookup.body.error.message).toMatch(/subject/);
      expect(
        (
          await request(server)
            .post('/api/privacy/consent')
            .send({ ...change, granted: 'yes' })
        ).status,
      ).toBe(400);
    });

    it('reports SLA and queue figures computed from the requests', async () => {
      const { server } = await startPrivacy(databaseId);
      const created = await request(server)
        .post('/api/privacy/export')
        .send(intake('EU'));
      await waitForState(server, created.body.id, 'completed');
      const sla = await request(server).get('/api/privacy/metrics/sla');
      const euExports = sla.body.rows.find(
        (r: any) => r.type === 'export' && r.region === 'EU',
      );
      expect(euExports).toMatchObject({
        total: 1,
        withinSla: 1,
        compliance: 1,
        objective: 0.95,
      });
      const sli = await request(server).get(
        '/api/privacy/metrics/sli?type=export&windowMinutes=60',
      );
      expect(sli.body).toMatchObject({ type: 'export', good: 1, total: 1 });
      expect(
        (await request(server).get('/api/privacy/metrics/sli?type=export'))
          .status,
      ).toBe(400);
      const queue = await request(server).get('/api/privacy/metrics/queue');
      expect(queue.body.completed).toBe(1);
      // Prometheus scrapes the same counts, without a token, without personal data.
      const scraped = await request(server).get('/api/privacy/metrics');
      expect(scraped.status).toBe(200);
      expect(scraped.text).toMatch(
        /privacy_requests\{state="completed",type="export",region="EU"\} 1/,
      );
      expect(scraped.text).toContain(
        'privacy_queue_jobs{status="completed"} 1',
      );
      expect(scraped.text).toContain('# TYPE privacy_requests_overdue gauge');
      expect(scraped.text).not.toContain(intake('EU').subject.id);
    });

    it('lets another backend read, never create, approve, administer or download', async () => {
      const { server, count } = await startPrivacy(databaseId);
      const asService = mockCredentials.service.header();
      const id = '0b8f4c4e-5d6a-4c1e-9f4a-2d3b1c0a9e8f';
      const writes: Array<[string, object]> = [
        ['/api/privacy/export', intake()],
        ['/api/privacy/delete', intake()],
        [
          '/api/privacy/consent',
          {
            subject: { id: SUBJECT },
            purpose: 'marketing',
            granted: true,
            source: 'web',
          },
        ],
        [`/api/privacy/requests/${id}/approve`, {}],
        [
          `/api/privacy/requests/${id}/extend`,
          { reason: 'A reason long enough' },
        ],
        [
          '/api/privacy/holds',
          { subject: { id: SUBJECT }, reason: 'A reason long enough' },
        ],
      ];
      for (const [path, body] of writes) {
        const response = await request(server)
          .post(path)
          .set('Authorization', asService)
          .send(body);
        expect({ path, status: response.status }).toEqual({
          path,
          status: 403,
        });
      }
      expect(
        (
          await request(server)
            .get(`/api/privacy/exports/${id}/download`)
            .set('Authorization', asService)
        ).status,
      ).toBe(403);
      expect(await count()).toBe(0);
      for (const path of [
        '/api/privacy/metrics/sli?type=export&windowMinutes=60',
        '/api/privacy/metrics/sla',
        '/api/privacy/audit/verify',
      ]) {
        const response = await request(server)
          .get(path)
          .set('Authorization', asService);
        expect({ path, status: response.status }).toEqual({
          path,
          status: 200,
        });
      }
    });

    it('refuses callers the policy denies, and writes nothing', async () => {
      const { server, count } = await startPrivacy(databaseId, {
        permission: AuthorizeResult.DENY,
      });
      expect(
        (await request(server).post('/api/privacy/export').send(intake()))
          .status,
      ).toBe(403);
      expect((await request(server).get('/api/privacy/requests')).status).toBe(
        403,
      );
      expect(await count()).toBe(0);
    });

    it('refuses unauthenticated intake with 401', async () => {
      const { server, count } = await startPrivacy(databaseId);
      const response = await request(server)
        .post('/api/privacy/export')
        .set('Authorization', mockCredentials.none.header())
        .send(intake());
      expect(response.status).toBe(401);
      expect(await count()).toBe(0);
    });

    it('limits intake per user with 429 and Retry-After', async () => {
      const { server } = await startPrivacy(databaseId, { perMinute: 2 });
      for (let i = 0; i < 2; i++) {
        await request(server)
          .post('/api/privacy/delete')
          .send({ ...intake(), subject: { id: `s-${i}` } })
          .expect(201);
      }
      const limited = await request(server)
        .post('/api/privacy/delete')
        .send({ ...intake(), subject: { id: 's-9' } });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    });
  },
);

describe('privacy backend start-up', () => {
  it('stops with a message naming a wrong config key', async () => {
    await expect(
      startTestBackend({
        features: [
          privacyPlugin,
          catalogServiceMock.factory(),
          mockServices.rootConfig.factory({
            data: { privacy: { sla: { exportHours: 'a day' } } },
          }),
        ],
      }),
    ).rejects.toThrow(/privacy\.sla\.exportHours/);
  });
});
