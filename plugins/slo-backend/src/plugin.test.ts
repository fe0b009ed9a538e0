import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  TestDatabases,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { TEST_AUDIT_KEY } from '@internal/plugin-ops-node/testing';
import request from 'supertest';
import { sloPlugin } from './plugin';
import { pushObjectiveYaml } from './testing/sloTestDatabase';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const component = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'api-gateway',
    namespace: 'default',
    annotations: {
      'slo.ops.portal/objectives': 'gateway',
      'ops.portal/runbook': 'https://runbooks.example.com/api-gateway',
    },
  },
  spec: { owner: 'platform', system: 'storefront', type: 'service' },
};

/** Polls until `check` passes or the time is up. */
async function eventually<T>(check: () => Promise<T>, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise(r => setTimeout(r, 200));
    }
  }
}

describe.each(databases.eachSupportedId())('slo backend on %p', databaseId => {
  let folder: string;
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'slo-plugin-'));
    await writeFile(
      join(folder, 'gateway.yaml'),
      pushObjectiveYaml('gateway-availability'),
    );
    await writeFile(
      join(folder, 'broken.yaml'),
      'apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: x}\nspec: {}\n',
    );
  });
  afterEach(() => rm(folder, { recursive: true, force: true }));

  async function start(
    permission:
      | AuthorizeResult.ALLOW
      | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
  ) {
    const knex = await databases.init(databaseId);
    const { server } = await startTestBackend({
      features: [
        sloPlugin,
        mockServices.database.factory({ knex }),
        mockServices.permissions.factory({ result: permission }),
        catalogServiceMock.factory({ entities: [component] }),
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://portal.test' },
            ops: { audit: { signingKey: TEST_AUDIT_KEY } },
            slo: { objectiveFolders: [folder] },
          },
        }),
      ],
    });
    return { server, knex };
  }

  it('finds objectives in the configured folders, owned through the catalog annotation, and reports the broken file', async () => {
    const { server } = await start();
    expect((await request(server).get('/api/slo/health')).status).toBe(200);
    expect((await request(server).get('/api/slo/settings')).body).toEqual({
      demo: false,
    });
    const listed = await eventually(async () => {
      const res = await request(server).get('/api/slo/objectives');
      expect(res.body.totalCount).toBe(1);
      return res.body;
    });
    expect(listed.items[0]).toMatchObject({
      id: 'gateway-availability',
      entityRef: 'component:default/api-gateway',
      owner: 'group:default/platform',
      system: 'system:default/storefront',
      runbook: 'https://runbooks.example.com/api-gateway',
      windowLabel: '30d rolling',
      source: 'push',
      state: 'no-data',
    });
    const problems = await request(server).get('/api/slo/problems');
    expect(problems.body.items).toContainEqual({
      file: join(folder, 'broken.yaml'),
      line: 4,
      path: 'spec.objectives',
      message: 'Required',
    });
    expect(
      problems.body.items.every((p: { file: string }) =>
        p.file.endsWith('broken.yaml'),
      ),
    ).toBe(true);
    const filtered = await request(server).get(
      '/api/slo/objectives?owner=group:default/nobody',
    );
    expect(filtered.body.totalCount).toBe(0);
  });

  it('evaluates pushed minutes: a 20x burn fires the 1h page tier', async () => {
    const { server } = await start();
    const ref = encodeURIComponent('gateway-availability');
    await eventually(async () => {
      expect(
        (await request(server).get(`/api/slo/objectives/${ref}`)).status,
      ).toBe(200);
    });
    const now = Math.floor(Date.now() / 60_000) * 60_000;
    const samples = Array.from({ length: 60 }, (_, i) => ({
      timestamp: new Date(now - (60 - i) * 60_000).toISOString(),
      good: 980,
      total: 1000,
    }));
    const pushed = await request(server)
      .post(`/api/slo/objectives/${ref}/samples`)
      .send({ samples });
    expect(pushed.status).toBe(200);
    const status = await request(server).get(
      `/api/slo/objectives/${ref}/status?at=${new Date(
        now - 60_000,
      ).toISOString()}`,
    );
    expect(status.status).toBe(200);
    expect(status.body.firing).toContain('page-1h');
    expect(status.body.burnRates['1h'].burnRate).toBeCloseTo(20, 6);

    const rules = await request(server).get(`/api/slo/objectives/${ref}/rules`);
    expect(rules.status).toBe(409);
    const source = await request(server).get(
      `/api/slo/objectives/${ref}/source`,
    );
    expect(source.text).toContain('name: gateway-availability');
  });

  it('refuses to acknowledge without the permission, and changes nothing', async () => {
    const { server, knex } = await start(AuthorizeResult.DENY);
    const res = await request(server)
      .post('/api/slo/alerts/00000000-0000-4000-8000-000000000000/acknowledge')
      .send({ reason: 'looking' });
    expect(res.status).toBe(403);
    const [{ n }] = await knex('slo_audit_pending').count({ n: '*' });
    expect(Number(n)).toBe(0);
  });
});
