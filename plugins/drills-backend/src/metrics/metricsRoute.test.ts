import {
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { TEST_AUDIT_KEY } from '@internal/plugin-ops-node/testing';
import { join } from 'node:path';
import request from 'supertest';
import { drillsPlugin } from '../plugin';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const RUNBOOKS = join(__dirname, '../../../../runbooks');

describe.each(databases.eachSupportedId())(
  'GET /api/drills/metrics on %p',
  databaseId => {
    it('answers Prometheus without a token or a permission', async () => {
      const knex = await databases.init(databaseId);
      const { server } = await startTestBackend({
        features: [
          drillsPlugin,
          mockServices.database.factory({ knex }),
          mockServices.permissions.factory({ result: AuthorizeResult.DENY }),
          mockServices.rootConfig.factory({
            data: {
              ops: { audit: { signingKey: TEST_AUDIT_KEY } },
              drills: { runbooksDirectory: RUNBOOKS },
            },
          }),
        ],
      });
      const anonymous = mockCredentials.none.header();
      const res = await request(server)
        .get('/api/drills/metrics')
        .set('Authorization', anonymous);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      for (const name of [
        'drills_runs',
        'drills_checkpoint_pass_ratio',
        'drills_outbox_pending',
      ]) {
        expect(res.text).toContain(`# TYPE ${name} gauge`);
      }
      expect(res.text).toContain('drills_runs{state="running"} 0');
      expect(res.text).toContain('drills_outbox_pending 0');
      // Only /metrics is open: the API still wants a token.
      const api = await request(server)
        .get('/api/drills/runs')
        .set('Authorization', anonymous);
      expect(api.status).toBe(401);
    });
  },
);
