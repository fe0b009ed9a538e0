import { TestDatabases } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { EvidenceCollector } from '@internal/plugin-evidence-node';
import request from 'supertest';
import { startEvidenceBackend } from './__testUtils__/evidenceTestBackend';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const history: EvidenceCollector = {
  id: 'history',
  title: 'History',
  description: 'test collector',
  points: ['CC8.1'],
  cadence: 'weekly',
  async collect({ now }) {
    return [
      {
        type: 'change-management.git',
        title: 'Merges',
        period: { start: new Date(now.getTime() - 7 * 86_400_000), end: now },
        fileName: 'merges.json',
        mediaType: 'application/json',
        content: '{"merges":2}',
      },
    ];
  },
};

async function eventually<T>(
  check: () => Promise<T>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise(resolve => setTimeout(resolve, 100));
    }
  }
}

describe.each(databases.eachSupportedId())(
  'evidence backend on %p',
  databaseId => {
    it('shows CC1 to CC9 with every point missing on a new database', async () => {
      const { server } = await startEvidenceBackend(databases, databaseId);
      const res = await request(server).get('/api/evidence/coverage');
      expect(res.status).toBe(200);
      expect(res.body.criteria.map((c: { id: string }) => c.id)).toEqual([
        'CC1',
        'CC2',
        'CC3',
        'CC4',
        'CC5',
        'CC6',
        'CC7',
        'CC8',
        'CC9',
      ]);
      expect(res.body.counts).toEqual({
        fresh: 0,
        stale: 0,
        missing: 33,
        exception: 0,
      });
    });

    it('collects on demand, and coverage follows from the filed evidence', async () => {
      const { server } = await startEvidenceBackend(databases, databaseId, {
        collectors: [history],
      });
      const started = await request(server)
        .post('/api/evidence/collectors/history/runs')
        .send({});
      expect(started.status).toBe(202);
      expect(started.body).toMatchObject({
        collector: 'history',
        state: 'running',
      });
      const run = await eventually(async () => {
        const res = await request(server).get(
          `/api/evidence/runs/${started.body.id}`,
        );
        expect(res.body.state).toBe('succeeded');
        return res.body;
      });
      expect(run.items).toHaveLength(1);
      const coverage = await request(server).get('/api/evidence/coverage');
      expect(coverage.body.counts.fresh).toBe(1);
      const collectors = await request(server).get('/api/evidence/collectors');
      expect(collectors.body[0]).toMatchObject({
        id: 'history',
        lastRun: { state: 'succeeded' },
      });
    });

    it('takes an upload, refuses its deletion before retention, and serves it back', async () => {
      const { server } = await startEvidenceBackend(databases, databaseId);
      const uploaded = await request(server)
        .post('/api/evidence/items')
        .field(
          'metadata',
          JSON.stringify({
            title: 'Information security policy',
            points: ['CC1.1', 'CC5.3'],
            periodStart: '2026-01-01T00:00:00Z',
            periodEnd: '2026-12-31T00:00:00Z',
          }),
        )
        .attach('file', Buffer.from('%PDF-1.7 policy'), {
          filename: 'policy.pdf',
          contentType: 'application/pdf',
        });
      expect(uploaded.status).toBe(201);
      expect(uploaded.body).toMatchObject({
        type: 'manual',
        fileName: 'policy.pdf',
      });
      const id = uploaded.body.id;
      const refused = await request(server).delete(`/api/evidence/items/${id}`);
      expect(refused.status).toBe(409);
      expect(refused.body.error.message).toMatch(/retained until/);
      const content = await request(server).get(
        `/api/evidence/items/${id}/content`,
      );
      expect(content.status).toBe(200);
      expect(content.headers['content-disposition']).toContain('policy.pdf');
      expect(content.body.toString()).toBe('%PDF-1.7 policy');
      const verified = await request(server).post(
        `/api/evidence/items/${id}/verify`,
      );
      expect(verified.body.ok).toBe(true);
    });

    it.each([
      ['a path in the name', '../../etc/passwd', 'text/plain', /file name/],
      [
        'a NUL in the name',
        'a\u0000.txt',
        'text/plain',
        /file name|Malformed part header/,
      ],
      ['a very long name', `${'x'.repeat(300)}.txt`, 'text/plain', /file name/],
      ['a media type not accepted', 'run.sh', 'application/x-sh', /media type/],
    ])(
      'refuses an upload with %s and stores nothing',
      async (_label, filename, contentType, message) => {
        const { server, knex } = await startEvidenceBackend(
          databases,
          databaseId,
        );
        const res = await request(server)
          .post('/api/evidence/items')
          .field(
            'metadata',
            JSON.stringify({
              title: 't',
              points: ['CC1.1'],
              periodStart: '2026-01-01T00:00:00Z',
              periodEnd: '2026-12-31T00:00:00Z',
            }),
          )
          .attach('file', Buffer.from('x'), {
            // form-data trims `filename` to its last segment; `filepath` is sent as given.
            filepath: filename,
            contentType,
          } as never);
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(message);
        expect(
          Number((await knex('evidence_items').count({ n: '*' }))[0].n),
        ).toBe(0);
      },
    );

    it('refuses an upload over the configured cap', async () => {
      const { server, knex } = await startEvidenceBackend(
        databases,
        databaseId,
        {
          evidence: { uploads: { maxBytes: 1024 } },
        },
      );
      const res = await request(server)
        .post('/api/evidence/items')
        .field(
          'metadata',
          JSON.stringify({
            title: 't',
            points: ['CC1.1'],
            periodStart: '2026-01-01T00:00:00Z',
            periodEnd: '2026-12-31T00:00:00Z',
          }),
        )
        .attach('file', Buffer.alloc(4096, 1), {
          filename: 'big.txt',
          contentType: 'text/plain',
        });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/1024-byte limit/);
      expect(
        Number((await knex('evidence_items').count({ n: '*' }))[0].n),
      ).toBe(0);
    });

    it('checks the permission of every mutating route', async () => {
      const { server } = await startEvidenceBackend(databases, databaseId, {
        permission: AuthorizeResult.DENY,
        collectors: [history],
      });
      const id = '00000000-0000-4000-8000-000000000000';
      for (const [method, path, body] of [
        ['post', '/api/evidence/collectors/history/runs', {}],
        ['post', '/api/evidence/exceptions', {}],
        ['post', `/api/evidence/exceptions/${id}/revoke`, {}],
        ['post', `/api/evidence/items/${id}/legal-hold`, {}],
        ['delete', `/api/evidence/items/${id}`, undefined],
        ['post', `/api/evidence/access-reviews/${id}/sign-off`, {}],
        ['post', '/api/evidence/binders', {}],
        ['get', '/api/evidence/items', undefined],
      ] as const) {
        const res = await (request(server) as any)[method](path).send(body);
        expect({ path, status: res.status }).toEqual({ path, status: 403 });
      }
    });

    it('records exceptions with a reason of at least 20 characters, counted apart', async () => {
      const { server } = await startEvidenceBackend(databases, databaseId);
      const short = await request(server)
        .post('/api/evidence/exceptions')
        .send({
          point: 'CC6.4',
          reason: 'no offices',
          approver: 'user:default/ciso',
          expiresAt: '2030-01-01T00:00:00Z',
        });
      expect(short.status).toBe(400);
      expect(short.body.error.message).toMatch(/20 characters/);
      const created = await request(server)
        .post('/api/evidence/exceptions')
        .send({
          point: 'CC6.4',
          reason: 'No offices: everything runs in a cloud provider region',
          approver: 'user:default/ciso',
          expiresAt: '2030-01-01T00:00:00Z',
        });
      expect(created.status).toBe(201);
      const coverage = await request(server).get('/api/evidence/coverage');
      expect(coverage.body.counts).toEqual({
        fresh: 0,
        stale: 0,
        missing: 32,
        exception: 1,
      });
      const revoked = await request(server).post(
        `/api/evidence/exceptions/${created.body.id}/revoke`,
      );
      expect(revoked.body.revokedAt).not.toBeNull();
      const again = await request(server).post(
        `/api/evidence/exceptions/${created.body.id}/revoke`,
      );
      expect(again.status).toBe(409);
    });
  },
);
