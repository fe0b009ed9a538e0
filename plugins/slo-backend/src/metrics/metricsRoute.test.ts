import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { TEST_AUDIT_KEY } from '@internal/plugin-ops-node/testing';
import request from 'supertest';
import { sloPlugin } from '../plugin';
import { pushObjectiveYaml } from '../testing/sloTestDatabase';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const component = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'api-gateway',
    namespace: 'default',
    annotations: { 'slo.ops.portal/objectives': 'gateway' },
  },
  spec: { owner: 'platform', type: 'service' },
};

describe.each(databases.eachSupportedId())(
  'GET /api/slo/metrics on %p',
  databaseId => {
    let folder: string;
    beforeEach(async () => {
      folder = await mkdtemp(join(tmpdir(), 'slo-metrics-'));
      await writeFile(
        join(folder, 'gateway.yaml'),
        pushObjectiveYaml('gateway-availability'),
      );
    });
    afterEach(() => rm(folder, { recursive: true, force: true }));

    it('answers Prometheus without a token or a permission, with the discovered objectives', async () => {
      const knex = await databases.init(databaseId);
      const { server } = await startTestBackend({
        features: [
          sloPlugin,
          mockServices.database.factory({ knex }),
          mockServices.permissions.factory({ result: AuthorizeResult.DENY }),
          catalogServiceMock.factory({ entities: [component] }),
          mockServices.rootConfig.factory({
            data: {
              ops: { audit: { signingKey: TEST_AUDIT_KEY } },
              slo: { objectiveFolders: [folder] },
            },
          }),
        ],
      });
      const anonymous = mockCredentials.none.header();
      const scrape = () =>
        request(server).get('/api/slo/metrics').set('Authorization', anonymous);
      const first = await scrape();
      expect(first.status).toBe(200);
      expect(first.headers['content-type']).toMatch(/^text\/plain/);
      for (const name of [
        'slo_objective_target',
        'slo_sli_ratio',
        'slo_error_budget_remaining_ratio',
        'slo_burn_rate',
        'slo_alerts_firing',
        'slo_notifications_pending',
      ]) {
        expect(first.text).toContain(`# TYPE ${name} gauge`);
      }
      // Discovery runs in the background at start.
      const until = Date.now() + 20_000;
      let text = first.text;
      while (!text.includes('objective="gateway-availability"')) {
        if (Date.now() > until) break;
        await new Promise(resolve => setTimeout(resolve, 200));
        text = (await scrape()).text;
      }
      expect(text).toContain(
        'slo_objective_target{objective="gateway-availability",service="api-gateway"} 0.999',
      );
      expect(text).not.toContain('group:default/platform');
      // Only /metrics is open: the API still wants a token.
      const api = await request(server)
        .get('/api/slo/objectives')
        .set('Authorization', anonymous);
      expect(api.status).toBe(401);
    });
  },
);
