import {
  coreServices,
  createServiceFactory,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  TestDatabaseId,
  TestDatabases,
  mockCredentials,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { privacyRequestSubjectReadPermission } from '@internal/plugin-privacy-common';
import type { Knex } from 'knex';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { subjectRevealedEntry } from './requests/subjectReveal';
import { startPrivacyTestBackend } from './testing/__testUtils__/testBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

/** May read requests and their subject ids. */
const ALICE = 'user:default/alice';
/** May read requests, not their subject ids (as the compliance group). */
const CARL = 'user:default/carl';
const SUBJECTS = ['customer-4711', 'customer-4712'];
const EMAIL = 'jane.doe@example.com';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Carl is refused privacy.request.subject.read; everything else is allowed. */
const permissions = createServiceFactory({
  service: coreServices.permissions,
  deps: {},
  factory: (): PermissionsService => {
    const decide = (
      permission: { name: string },
      credentials: { principal: unknown },
    ) => {
      const { userEntityRef } = credentials.principal as {
        userEntityRef?: string;
      };
      return {
        result:
          userEntityRef === CARL &&
          permission.name === privacyRequestSubjectReadPermission.name
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
      } as const;
    };
    return {
      authorize: async (requests, { credentials }) =>
        requests.map(({ permission }) => decide(permission, credentials)),
      authorizeConditional: async (requests, { credentials }) =>
        requests.map(({ permission }) => decide(permission, credentials)),
    };
  },
});

/** The plugin on `databaseId`, holding one export request of each subject. */
async function startWithRequests(databaseId: TestDatabaseId) {
  const knex: Knex = await databases.init(databaseId);
  const dir = mkdtempSync(join(tmpdir(), 'privacy-reveal-'));
  dirs.push(dir);
  const { server } = await startPrivacyTestBackend({ knex, dir, permissions });
  const as = (user: string) => mockCredentials.user.header(user);
  const ids: string[] = [];
  for (const subject of SUBJECTS) {
    const created = await request(server)
      .post('/api/privacy/export')
      .set('Authorization', as(ALICE))
      .send({
        subject: { id: subject, email: EMAIL },
        region: 'EU',
        jurisdiction: 'GDPR',
      })
      .expect(201);
    ids.push(created.body.id);
  }
  const subjectHashOf = async (id: string): Promise<string> =>
    (await knex('privacy_requests').where({ id }).first()).subject_hash;
  /** The subject.revealed events so far, chained first (verify chains what is pending). */
  const reveals = async () => {
    const verified = await request(server)
      .get('/api/privacy/audit/verify')
      .set('Authorization', as(ALICE))
      .expect(200);
    expect(verified.body).toMatchObject({ ok: true });
    const rows: Array<{
      record_id: string | null;
      actor: string;
      data: string;
    }> = await knex('privacy_audit_events')
      .where({ type: 'subject.revealed' })
      .orderBy('seq', 'asc');
    return rows.map(row => ({
      recordId: row.record_id,
      actor: row.actor,
      data: JSON.parse(row.data),
      raw: row.data,
    }));
  };
  const get = (path: string, user: string | 'service') =>
    request(server)
      .get(`/api/privacy${path}`)
      .set(
        'Authorization',
        user === 'service' ? mockCredentials.service.header() : as(user),
      )
      .expect(200);
  return { server, ids, get, reveals, subjectHashOf };
}

describe.each(databases.eachSupportedId())(
  'subject.revealed on %p',
  databaseId => {
    it('audits each read that shows subject ids, once, without the ids', async () => {
      const { ids, get, reveals, subjectHashOf } = await startWithRequests(
        databaseId,
      );
      const [first, second] = ids;

      const page = await get('/requests?sort=createdAt&order=asc', ALICE);
      expect(
        page.body.items.map((item: { subjectId: string }) => item.subjectId),
      ).toEqual(SUBJECTS);
      const detail = await get(`/requests/${first}`, ALICE);
      expect(detail.body.subjectId).toBe(SUBJECTS[0]);
      await get(`/status/${second}`, ALICE);
      // A page of one request is about that request and its one subject.
      await get('/requests?sort=createdAt&order=asc&limit=1', ALICE);

      const events = await reveals();
      /** The event of one detail read of request `id` by Alice. */
      const detailRead = async (id: string) => ({
        recordId: id,
        actor: ALICE,
        data: {
          requestIds: [id],
          count: 1,
          subjectHash: await subjectHashOf(id),
        },
      });
      expect(events.map(({ raw: _, ...event }) => event)).toEqual([
        {
          recordId: null,
          actor: ALICE,
          data: { requestIds: [first, second], count: 2 },
        },
        await detailRead(first),
        await detailRead(second),
        await detailRead(first),
      ]);
      for (const { raw } of events) {
        for (const secret of [...SUBJECTS, EMAIL, 'customer']) {
          expect({ secret, found: raw.includes(secret) }).toEqual({
            secret,
            found: false,
          });
        }
      }
      // A detail read joins the request's own trail.
      const trail = await get(`/requests/${second}/audit`, ALICE);
      expect(
        trail.body.events.map((event: { type: string }) => event.type),
      ).toEqual([
        'request.received',
        'request.state_changed',
        'subject.revealed',
      ]);
    });

    it('writes nothing for a read that shows no subject id', async () => {
      const { ids, get, reveals } = await startWithRequests(databaseId);

      // Without privacy.request.subject.read.
      const hidden = await get('/requests', CARL);
      expect(hidden.body.items).toHaveLength(2);
      for (const item of hidden.body.items) {
        expect(item).toMatchObject({ subjectId: null, subjectHidden: true });
      }
      expect((await get(`/requests/${ids[0]}`, CARL)).body).toMatchObject({
        subjectId: null,
        subjectHidden: true,
      });
      await get(`/status/${ids[1]}`, CARL);
      // Another backend: services never see subject ids.
      await get('/requests', 'service');
      await get(`/requests/${ids[0]}`, 'service');
      // An empty page, for a caller who could see subject ids.
      const empty = await get('/requests?region=US', ALICE);
      expect(empty.body).toMatchObject({ items: [], totalCount: 0 });
      const beyond = await get('/requests?offset=100', ALICE);
      expect(beyond.body.items).toEqual([]);

      expect(await reveals()).toEqual([]);
    });

    it('counts reveals as personal-data access in the metrics', async () => {
      const { server, ids, get, reveals } = await startWithRequests(databaseId);
      await get('/requests', ALICE);
      await get(`/requests/${ids[0]}`, ALICE);
      await get(`/requests/${ids[1]}`, CARL);
      expect(await reveals()).toHaveLength(2);

      const scraped = await request(server)
        .get('/api/privacy/metrics')
        .expect(200);
      expect(
        scraped.text
          .split('\n')
          .filter(line => line.startsWith('privacy_personal_data_access{')),
      ).toEqual(['privacy_personal_data_access{type="subject.revealed"} 2']);
      expect(scraped.text).not.toContain(SUBJECTS[0]);
    });
  },
);

describe('subjectRevealedEntry', () => {
  const hash = (subjectId: string) => `hash(${subjectId})`;
  const shown = (id: string, subjectId: string | null) =>
    ({ id, subjectId, subjectHidden: subjectId === null } as never);

  it('names the one subject of several requests by its hash only', () => {
    expect(
      subjectRevealedEntry(
        ALICE,
        [shown('r1', 's-1'), shown('r2', null), shown('r3', 's-1')],
        hash,
      ),
    ).toEqual({
      recordId: null,
      type: 'subject.revealed',
      actor: ALICE,
      data: { requestIds: ['r1', 'r3'], count: 2, subjectHash: 'hash(s-1)' },
    });
  });

  it('is undefined when nothing shown has a subject id', () => {
    expect(subjectRevealedEntry(ALICE, [], hash)).toBeUndefined();
    expect(
      subjectRevealedEntry(ALICE, [shown('r1', null)], hash),
    ).toBeUndefined();
  });
});
