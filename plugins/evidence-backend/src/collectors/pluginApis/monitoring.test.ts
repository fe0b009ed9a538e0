import type { SchedulerServiceTaskInvocationDefinition } from '@backstage/backend-plugin-api';
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
import sloPlugin from '@internal/plugin-slo-backend';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { MonitoringEvidence, createMonitoringCollector } from '.';
import {
  evidenceServicesProbe,
  eventually,
  testContext,
} from './__testUtils__/siblings';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

/** An OpenSLO objective fed by pushed counts. */
const objectiveYaml = (name: string, service: string) => `apiVersion: openslo/v1
kind: SLO
metadata:
  name: ${name}
  displayName: ${name}
spec:
  service: ${service}
  indicator:
    metadata:
      name: ${name}-sli
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            type: Push
            spec: {}
        total:
          metricSource:
            type: Push
            spec: {}
  timeWindow:
    - duration: 30d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: ${name}
      target: 0.999
`;

const component = (name: string, file: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: { 'slo.ops.portal/objectives': file },
  },
  spec: { owner: 'platform', system: 'storefront', type: 'service' },
});

describe.each(databases.eachSupportedId())(
  'monitoring collector against the real SLO backend on %p',
  databaseId => {
    let folder: string;
    beforeEach(async () => {
      folder = await mkdtemp(join(tmpdir(), 'evidence-slo-'));
      await writeFile(
        join(folder, 'gateway.yaml'),
        objectiveYaml('gateway-availability', 'api-gateway'),
      );
      await writeFile(
        join(folder, 'checkout.yaml'),
        objectiveYaml('checkout-availability', 'checkout'),
      );
    });
    afterEach(() => rm(folder, { recursive: true, force: true }));

    async function start(id: TestDatabaseId) {
      const knex = await databases.init(id);
      const probe = evidenceServicesProbe();
      // The SLO plugin's scheduled tasks, run by the test when it wants.
      const tasks = new Map<string, SchedulerServiceTaskInvocationDefinition>();
      const scheduler = mockServices.scheduler.mock({
        scheduleTask: async task => {
          tasks.set(task.id, task);
        },
      });
      const { server } = await startTestBackend({
        features: [
          sloPlugin,
          probe.feature,
          scheduler.factory,
          mockServices.database.factory({ knex }),
          mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
          catalogServiceMock.factory({
            entities: [
              component('api-gateway', 'gateway'),
              component('checkout', 'checkout'),
            ],
          }),
          mockServices.rootConfig.factory({
            data: {
              app: { baseUrl: 'http://portal.test' },
              ops: { audit: { signingKey: TEST_AUDIT_KEY } },
              slo: { objectiveFolders: [folder] },
            },
          }),
        ],
      });
      await eventually(async () => {
        const res = await request(server).get('/api/slo/objectives');
        expect(res.body.totalCount).toBe(2);
      });
      const evaluate = async () => {
        const task = tasks.get('slo-evaluate');
        if (!task) throw new Error('the SLO plugin scheduled no evaluation');
        await task.fn(new AbortController().signal);
      };
      return { server, knex, deps: probe.deps(), evaluate };
    }

    it('files the objectives and the alerts of the week, paging through both', async () => {
      const { server, deps, evaluate } = await start(databaseId);
      // An hour at a 20x burn: the page tier fires at the next evaluation.
      const now = Math.floor(Date.now() / 60_000) * 60_000;
      const pushed = await request(server)
        .post(`/api/slo/objectives/gateway-availability/samples`)
        .send({
          samples: Array.from({ length: 60 }, (_, i) => ({
            timestamp: new Date(now - (60 - i) * 60_000).toISOString(),
            good: 980,
            total: 1000,
          })),
        });
      expect(pushed.status).toBe(200);
      await evaluate();
      const fired = await request(server).get('/api/slo/alerts');
      expect(fired.body.totalCount).toBeGreaterThan(0);
      const alert = fired.body.items[0];
      const ack = await request(server)
        .post(`/api/slo/alerts/${alert.id}/acknowledge`)
        .send({ reason: 'rolling back' });
      expect(ack.status).toBe(200);

      const collector = createMonitoringCollector({ ...deps, pageSize: 1 });
      expect(collector).toMatchObject({
        id: 'monitoring',
        points: ['CC4.1', 'CC7.2'],
        cadence: 'weekly',
      });
      const ctx = testContext();
      const [item, ...rest] = await collector.collect(ctx);
      expect(rest).toEqual([]);
      expect(item).toMatchObject({
        type: 'monitoring',
        fileName: 'monitoring.json',
        mediaType: 'application/json',
        period: {
          start: new Date(ctx.now.getTime() - 7 * 86_400_000),
          end: ctx.now,
        },
      });
      const content: MonitoringEvidence = JSON.parse(String(item.content));
      expect(content.objectives.map(o => o.id)).toEqual([
        'checkout-availability',
        'gateway-availability',
      ]);
      expect(content.objectives[1]).toMatchObject({
        entityRef: 'component:default/api-gateway',
        owner: 'group:default/platform',
        target: 0.999,
        windowLabel: '30d rolling',
        source: 'push',
      });
      expect(content.objectives[1].tiers.map(t => t.severity)).toContain(
        'page',
      );
      // The status is kept short: no burn rate per window.
      expect(Object.keys(content.objectives[1].status ?? {}).sort()).toEqual([
        'at',
        'budgetRemaining',
        'dataThrough',
        'firing',
        'sli',
      ]);
      const alerts = (await request(server).get('/api/slo/alerts?limit=100'))
        .body.items;
      expect(content.alerts.map(a => a.id).sort()).toEqual(
        alerts.map((a: { id: string }) => a.id).sort(),
      );
      expect(content.alerts.find(a => a.id === alert.id)).toMatchObject({
        objectiveRef: 'gateway-availability',
        severity: alert.severity,
        state: 'firing',
        acknowledged: { reason: 'rolling back' },
      });
      expect(content.alerts.some(a => a.severity === 'page')).toBe(true);
      expect(item.summary).toEqual({
        objectives: 2,
        objectivesByState: expect.any(Object),
        alerts: alerts.length,
        pages: alerts.filter((a: { severity: string }) => a.severity === 'page')
          .length,
        acknowledged: 1,
        stillFiring: alerts.filter(
          (a: { state: string }) => a.state === 'firing',
        ).length,
      });
      expect(
        Object.values(
          (item.summary as { objectivesByState: Record<string, number> })
            .objectivesByState,
        ).reduce((a, b) => a + b, 0),
      ).toBe(2);
      expect(ctx.lines).toContain('Read 2 objectives from the SLO plugin');
    });

    it('throws naming the SLO plugin and the status when it answers 500', async () => {
      const { knex, deps } = await start(databaseId);
      // The alerts table gone: the SLO plugin's /alerts fails inside.
      await knex.schema.renameTable('slo_alerts', 'slo_alerts_gone');
      await expect(
        createMonitoringCollector(deps).collect(testContext()),
      ).rejects.toThrow(
        /^The slo plugin answered 500 Internal Server Error to GET \/alerts\?limit=100&offset=0/,
      );
    });
  },
);
