import { TestDatabases, mockCredentials } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { startEvidenceBackend } from '../__testUtils__/evidenceTestBackend';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'GET /api/evidence/metrics on %p',
  databaseId => {
    it('answers Prometheus without a token or a permission', async () => {
      const { server } = await startEvidenceBackend(databases, databaseId, {
        permission: AuthorizeResult.DENY,
      });
      const anonymous = mockCredentials.none.header();
      const res = await request(server)
        .get('/api/evidence/metrics')
        .set('Authorization', anonymous);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      for (const name of [
        'evidence_coverage_points',
        'evidence_items',
        'evidence_collector_runs',
        'evidence_binders',
      ]) {
        expect(res.text).toContain(`# TYPE ${name} gauge`);
      }
      expect(res.text).toContain(
        'evidence_coverage_points{criterion="CC1",status="missing"} 5',
      );
      // Only /metrics is open: the API still wants a token.
      const api = await request(server)
        .get('/api/evidence/coverage')
        .set('Authorization', anonymous);
      expect(api.status).toBe(401);
    });
  },
);
