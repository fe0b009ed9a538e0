import {
  TestDatabaseId,
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { privacyPlugin } from './plugin';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const validExport = {
  subject: { id: 'customer-42', email: 'someone@example.com' },
  region: 'EU',
  jurisdiction: 'GDPR',
  priority: 'HIGH',
};

async function startPrivacy(
  databaseId: TestDatabaseId,
  permissionResult:
    | AuthorizeResult.ALLOW
    | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
) {
  const knex = await databases.init(databaseId);
  const { server } = await startTestBackend({
    features: [
      privacyPlugin,
      mockServices.database.factory({ knex }),
      mockServices.permissions.factory({ result: permissionResult }),
    ],
  });
  const count = async () =>
    Number((await knex('privacy_requests').count({ n: '*' }))[0].n);
  return { server, knex, count };
}

describe.each(databases.eachSupportedId())(
  'privacy backend on %p',
  databaseId => {
    it('answers /health without credentials', async () => {
      const { server } = await startPrivacy(databaseId);
      const response = await request(server)
        .get('/api/privacy/health')
        .set('Authorization', mockCredentials.none.header());
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ status: 'ok' });
    });

    it('accepts an export with its SLA and legal deadlines, and lists it', async () => {
      const { server } = await startPrivacy(databaseId);
      const created = await request(server)
        .post('/api/privacy/export')
        .send(validExport);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        type: 'export',
        state: 'received',
        subjectId: 'customer-42',
        region: 'EU',
        priority: 10,
        requester: 'user:default/mock',
      });
      const receivedAt = Date.parse(created.body.createdAt);
      expect(Date.parse(created.body.slaDueAt) - receivedAt).toBe(
        24 * 3600 * 1000,
      );
      expect(Date.parse(created.body.legalDueAt)).toBeGreaterThan(
        receivedAt + 27 * 24 * 3600 * 1000,
      );

      const listed = await request(server).get(
        '/api/privacy/requests?type=export&region=EU',
      );
      expect(listed.status).toBe(200);
      expect(listed.body.totalCount).toBe(1);
      expect(listed.body.items[0].id).toBe(created.body.id);

      const status = await request(server).get(
        `/api/privacy/status/${created.body.id}`,
      );
      expect(status.body.state).toBe('received');
    });

    it('returns the open request for a duplicate instead of a second row', async () => {
      const { server, count } = await startPrivacy(databaseId);
      const first = await request(server)
        .post('/api/privacy/delete')
        .send(validExport);
      const second = await request(server)
        .post('/api/privacy/delete')
        .send(validExport);
      expect(first.status).toBe(201);
      expect(first.body.state).toBe('awaiting_approval');
      expect(second.status).toBe(200);
      expect(second.body.id).toBe(first.body.id);
      expect(await count()).toBe(1);
    });

    it.each([
      [{ ...validExport, region: 'MARS' }, 'region'],
      [{ ...validExport, subject: { id: '' } }, 'subject.id'],
      [
        { ...validExport, subject: { id: 'x', email: 'not-an-email' } },
        'subject.email',
      ],
      [{ ...validExport, priority: 3 }, 'priority'],
      [{ region: 'EU', jurisdiction: 'GDPR' }, 'subject'],
      [{ ...validExport, extra: true }, 'extra'],
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

    it('pages the request list on the server', async () => {
      const { server } = await startPrivacy(databaseId);
      for (let i = 0; i < 5; i++) {
        await request(server)
          .post('/api/privacy/export')
          .send({ ...validExport, subject: { id: `subject-${i}` } })
          .expect(201);
      }
      const page = await request(server).get(
        '/api/privacy/requests?limit=2&offset=4',
      );
      expect(page.body).toMatchObject({ totalCount: 5, limit: 2, offset: 4 });
      expect(page.body.items).toHaveLength(1);
      expect(page.body.items[0].subjectId).toBe('subject-0');

      const bad = await request(server).get('/api/privacy/requests?limit=1000');
      expect(bad.status).toBe(400);
    });

    it('answers 404 for an unknown request', async () => {
      const { server } = await startPrivacy(databaseId);
      const response = await request(server).get(
        '/api/privacy/status/no-such-request',
      );
      expect(response.status).toBe(404);
    });

    it('refuses callers the policy denies, and writes nothing', async () => {
      const { server, count } = await startPrivacy(
        databaseId,
        AuthorizeResult.DENY,
      );
      const created = await request(server)
        .post('/api/privacy/export')
        .send(validExport);
      expect(created.status).toBe(403);
      expect(await count()).toBe(0);
      const listed = await request(server).get('/api/privacy/requests');
      expect(listed.status).toBe(403);
    });

    it('refuses unauthenticated intake with 401', async () => {
      const { server, count } = await startPrivacy(databaseId);
      const response = await request(server)
        .post('/api/privacy/export')
        .set('Authorization', mockCredentials.none.header())
        .send(validExport);
      expect(response.status).toBe(401);
      expect(await count()).toBe(0);
    });
  },
);

describe('privacy backend start-up', () => {
  it('stops with a message naming a wrong config key', async () => {
    await expect(
      startTestBackend({
        features: [
          privacyPlugin,
          mockServices.rootConfig.factory({
            data: { privacy: { sla: { exportHours: 'a day' } } },
          }),
        ],
      }),
    ).rejects.toThrow(/privacy\.sla\.exportHours/);
  });
});
