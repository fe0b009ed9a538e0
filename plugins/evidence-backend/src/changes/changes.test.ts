import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { ChangeRecordRequest } from '@internal/plugin-evidence-common';
import type { Knex } from 'knex';
import type { Server } from 'node:http';
import request from 'supertest';
import { startEvidenceBackend } from '../__testUtils__/evidenceTestBackend';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const HOUR = 60 * 60 * 1000;
// One moment for the whole file, so the same change is the same body each time.
const NOW = Date.now();
const ago = (ms: number) => new Date(NOW - ms).toISOString();

/** The scaffolder's service token, as its outbox delivers a change. */
const asScaffolder = mockCredentials.service.header({
  onBehalfOf: mockCredentials.service('plugin:scaffolder'),
  targetPluginId: 'evidence',
});

const rollback = (
  overrides: Partial<ChangeRecordRequest> = {},
): ChangeRecordRequest => ({
  key: 'task-3f2a:step-rollback',
  kind: 'rollback',
  strategy: 'kubernetes',
  entityRef: 'component:default/checkout',
  performedBy: 'user:default/jane',
  startedAt: ago(HOUR + 120_000),
  finishedAt: ago(HOUR),
  reason: 'Checkout errors after the 14:02 deploy',
  incidentUrl: 'https://incidents.example.com/INC-42',
  before: { revision: 7, images: ['registry.example.com/checkout:1.8.0'] },
  after: { revision: 5, images: ['registry.example.com/checkout:1.7.2'] },
  details: { cluster: 'production', namespace: 'shop', deployment: 'checkout' },
  taskUrl: 'https://portal.example.com/create/tasks/3f2a',
  ...overrides,
});

async function itemCount(knex: Knex): Promise<number> {
  return Number((await knex('evidence_items').count({ n: '*' }))[0].n);
}

function post(server: Server, body: unknown, auth = asScaffolder) {
  return request(server)
    .post('/api/evidence/changes')
    .set('Authorization', auth)
    .send(body as object);
}

describe.each(databases.eachSupportedId())(
  'POST /changes on %p',
  databaseId => {
    it('files a rollback once per key: 201, then 200 with the same item', async () => {
      const { server, knex } = await startEvidenceBackend(
        databases,
        databaseId,
      );
      const first = await post(server, rollback());
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({
        type: 'change-management.rollback',
        points: ['CC8.1'],
        title:
          'Rollback of component:default/checkout (kubernetes, revision 7 → 5)',
        entityRef: 'component:default/checkout',
        filedBy: 'user:default/jane',
        fileName: 'change-task-3f2a_step-rollback.json',
        mediaType: 'application/json',
        cadence: 'daily',
        summary: {
          strategy: 'kubernetes',
          performedBy: 'user:default/jane',
          recordedBy: 'service:plugin:scaffolder',
          beforeRevision: 7,
          afterRevision: 5,
          incidentUrl: 'https://incidents.example.com/INC-42',
        },
      });
      expect(first.body.periodStart).toBe(rollback().startedAt);

      const again = await post(server, rollback());
      expect(again.status).toBe(200);
      expect(again.body.id).toBe(first.body.id);
      expect(await itemCount(knex)).toBe(1);
    });

    it('files one item when the same change arrives twice at once', async () => {
      const { server, knex } = await startEvidenceBackend(
        databases,
        databaseId,
      );
      const body = rollback();
      const answers = await Promise.all([
        post(server, body),
        post(server, body),
      ]);
      expect(answers.map(a => a.status).sort()).toEqual([200, 201]);
      expect(answers[0].body.id).toBe(answers[1].body.id);
      expect(await itemCount(knex)).toBe(1);
    });

    it('keeps the whole record, with who recorded it, in the stored JSON file', async () => {
      const { server } = await startEvidenceBackend(databases, databaseId);
      const filed = await post(server, rollback());
      const content = await request(server)
        .get(`/api/evidence/items/${filed.body.id}/content`)
        .buffer(true)
        .parse((res, done) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => done(null, text));
        });
      expect(content.status).toBe(200);
      expect(content.headers['content-type']).toMatch(/application\/json/);
      const record = JSON.parse(content.body);
      expect(record).toEqual({
        ...rollback(),
        recordedBy: 'service:plugin:scaffolder',
        recordedAt: expect.any(String),
      });
      const verified = await request(server).post(
        `/api/evidence/items/${filed.body.id}/verify`,
      );
      expect(verified.body.ok).toBe(true);
    });

    it('counts a recent rollback under CC8.1, and not once it is two days old', async () => {
      const { server } = await startEvidenceBackend(databases, databaseId);
      await post(
        server,
        rollback({
          key: 'old',
          startedAt: ago(50 * HOUR),
          finishedAt: ago(49 * HOUR),
        }),
      );
      const cc81 = async () => {
        const coverage = await request(server).get('/api/evidence/coverage');
        return coverage.body.criteria
          .find((c: { id: string }) => c.id === 'CC8')
          .points.find((p: { id: string }) => p.id === 'CC8.1');
      };
      expect(await cc81()).toMatchObject({ status: 'stale', itemCount: 1 });
      await post(server, rollback({ key: 'recent' }));
      expect(await cc81()).toMatchObject({ status: 'fresh', itemCount: 2 });
    });

    it('keeps changes whose keys differ only in unsafe characters apart', async () => {
      const { server, knex } = await startEvidenceBackend(
        databases,
        databaseId,
      );
      const colon = await post(server, rollback({ key: 'a:b' }));
      const underscore = await post(server, rollback({ key: 'a_b' }));
      expect([colon.status, underscore.status]).toEqual([201, 201]);
      expect(colon.body.fileName).toBe(underscore.body.fileName);
      expect(colon.body.id).not.toBe(underscore.body.id);
      expect((await post(server, rollback({ key: 'a:b' }))).body.id).toBe(
        colon.body.id,
      );
      expect(await itemCount(knex)).toBe(2);
    });

    it('refuses another change under a key already used, with 409', async () => {
      const { server, knex } = await startEvidenceBackend(
        databases,
        databaseId,
      );
      expect((await post(server, rollback())).status).toBe(201);
      const other = await post(server, rollback({ reason: 'Something else' }));
      expect(other.status).toBe(409);
      expect(other.body.error.message).toMatch(/already recorded/);
      expect(await itemCount(knex)).toBe(1);
    });

    it.each([
      ['a bad key', { key: 'has space' }, /key/],
      ['another kind', { kind: 'deploy' }, /kind/],
      ['an unknown strategy', { strategy: 'helm' }, /strategy/],
      [
        'a performer that is no user',
        { performedBy: 'group:default/ops' },
        /performedBy/,
      ],
      ['an empty reason', { reason: '  ' }, /reason/],
      ['a reason over 1000 characters', { reason: 'x'.repeat(1001) }, /reason/],
      [
        'an incident link that is no URL',
        { incidentUrl: 'INC-42' },
        /incidentUrl/,
      ],
      [
        'a task link that is not http(s)',
        { taskUrl: 'file:///etc/passwd' },
        /taskUrl/,
      ],
      [
        'a time without offset',
        { startedAt: '2026-01-01T10:00:00' },
        /startedAt/,
      ],
      [
        'an end before the start',
        { startedAt: ago(HOUR), finishedAt: ago(2 * HOUR) },
        /finishedAt/,
      ],
      [
        'an end in the future',
        { finishedAt: new Date(NOW + 48 * HOUR).toISOString() },
        /finishedAt/,
      ],
      ['no facts before', { before: {} }, /before/],
      [
        'a nested object as a fact',
        { after: { revision: { n: 5 } } },
        /after\.revision/,
      ],
      [
        'too many facts',
        {
          details: Object.fromEntries(
            Array.from({ length: 21 }, (_, i) => [`f${i}`, i]),
          ),
        },
        /details/,
      ],
      ['an unknown field', { approvedBy: 'user:default/bob' }, /approvedBy/],
    ])(
      'answers 400 to %s and stores nothing',
      async (_label, change, field) => {
        const { server, knex } = await startEvidenceBackend(
          databases,
          databaseId,
        );
        const res = await post(server, { ...rollback(), ...change });
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(field);
        expect(await itemCount(knex)).toBe(0);
      },
    );

    it('answers 403 without the permission and stores nothing', async () => {
      const { server, knex } = await startEvidenceBackend(
        databases,
        databaseId,
        { permission: AuthorizeResult.DENY },
      );
      const res = await post(server, rollback());
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(/evidence\.change\.record/);
      expect(await itemCount(knex)).toBe(0);
    });

    it('lets a user record only a change they performed', async () => {
      const { server, knex } = await startEvidenceBackend(
        databases,
        databaseId,
      );
      const asJane = mockCredentials.user.header('user:default/jane');
      const asBob = mockCredentials.user.header('user:default/bob');
      const forged = await post(server, rollback(), asBob);
      expect(forged.status).toBe(403);
      expect(forged.body.error.message).not.toMatch(/jane|bob/);
      expect(await itemCount(knex)).toBe(0);
      const own = await post(server, rollback(), asJane);
      expect(own.status).toBe(201);
      expect(own.body.summary.recordedBy).toBe('user:default/jane');
    });
  },
);
