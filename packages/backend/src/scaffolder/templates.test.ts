import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { KubernetesStandIn } from '@internal/plugin-scaffolder-backend-module-ops/testing';
import type { Server } from 'node:http';
import request from 'supertest';
import { CallLog } from './__testUtils__/pluginDoubles';
import {
  checkoutComponent,
  KUBERNETES_TOKEN,
  readOrg,
  readTemplates,
  startScaffolderTestBackend,
} from './__testUtils__/scaffolderTestBackend';

/*
 * Every template of templates/all.yaml through the scaffolder's own dry run
 * (POST /api/scaffolder/v2/dry-run), in a backend put together as the
 * portal's: the real ops actions against a Kubernetes stand-in and doubles
 * of the evidence and drills APIs, the real permission policy.
 */

jest.setTimeout(60_000);

type DryRunLog = Array<{
  body: { message: string; stepId?: string; status?: string };
}>;

const templates = readTemplates();
const template = (name: string) => {
  const found = templates.find(t => t.metadata.name === name);
  if (!found) throw new Error(`templates/all.yaml lists no template ${name}`);
  return found;
};

const IMAGES = ['3.7.0', '3.8.0', '3.9.0'].map(
  v => `registry.example.com/storefront/checkout:${v}`,
);

describe('the portal templates in a scaffolder dry run', () => {
  let standIn: KubernetesStandIn;
  let server: Server;
  let calls: CallLog;

  beforeAll(async () => {
    standIn = await KubernetesStandIn.start({ token: KUBERNETES_TOKEN });
    standIn.seed({
      name: 'checkout',
      labels: { 'backstage.io/kubernetes-id': 'checkout' },
      images: IMAGES,
    });
    calls = [];
    const entities: Entity[] = [checkoutComponent, ...readOrg(), ...templates];
    ({ server } = await startScaffolderTestBackend({
      entities,
      kubernetesUrl: standIn.url,
      calls,
    }));
  });

  afterAll(async () => {
    await standIn?.close();
  });

  beforeEach(() => {
    calls.length = 0;
  });

  function dryRun(name: string, values: object, user: string) {
    return request(server)
      .post('/api/scaffolder/v2/dry-run')
      .set('Authorization', mockCredentials.user.header(`user:default/${user}`))
      .send({
        template: template(name),
        values,
        secrets: {},
        directoryContents: [],
      });
  }

  /** The dry run answered 200 and every step of the template completed without an error. */
  function expectCleanRun(
    response: request.Response,
    expected: Record<string, 'completed' | 'skipped'>,
  ) {
    expect(response.status).toBe(200);
    const log: DryRunLog = response.body.log;
    const failed = log.filter(l => l.body.status === 'failed');
    expect(failed.map(l => l.body.message)).toEqual([]);
    expect(
      log.filter(l => /\berror\b/i.test(l.body.message)).map(l => l.body),
    ).toEqual([]);
    const statuses = Object.fromEntries(
      log
        .filter(l => l.body.stepId && l.body.status)
        .map(l => [l.body.stepId, l.body.status]),
    );
    expect(statuses).toEqual(expected);
    return log.map(l => l.body.message);
  }

  it('lists the four templates', () => {
    expect(templates.map(t => t.metadata.name)).toEqual([
      'rollback-bad-deploy',
      'collect-soc2-evidence',
      'generate-soc2-binder',
      'start-drill',
    ]);
  });

  it('dry-runs rollback-bad-deploy for dave (on-call) and changes nothing', async () => {
    const before = standIn.getDeployment('default', 'checkout')!;
    expect(
      before.metadata.annotations['deployment.kubernetes.io/revision'],
    ).toBe('3');

    const response = await dryRun(
      'rollback-bad-deploy',
      {
        entity: 'component:default/checkout',
        strategy: 'kubernetes',
        reason: 'Checkout 3.9.0 fails payments',
      },
      'dave',
    );

    const messages = expectCleanRun(response, {
      kubernetes: 'completed',
      image: 'skipped',
      git: 'skipped',
      verify: 'completed',
      announce: 'completed',
    });
    expect(messages).toContainEqual(
      expect.stringContaining('Dry run: nothing was changed'),
    );
    const after = standIn.getDeployment('default', 'checkout')!;
    expect(after.metadata.resourceVersion).toBe(
      before.metadata.resourceVersion,
    );
    expect(
      after.metadata.annotations['deployment.kubernetes.io/revision'],
    ).toBe('3');
    expect(after.spec.template.spec.containers[0].image).toBe(IMAGES[2]);
    // The stand-in was read, never written.
    expect(standIn.requests.length).toBeGreaterThan(0);
    expect(standIn.requests.filter(r => r.method !== 'GET')).toEqual([]);
    expect(response.body.output.text[0].content).toContain('3 → 2');
  });

  it('dry-runs the image strategy of rollback-bad-deploy and changes nothing', async () => {
    const before = standIn.getDeployment('default', 'checkout')!;
    const requestsBefore = standIn.requests.length;
    const response = await dryRun(
      'rollback-bad-deploy',
      {
        entity: 'component:default/checkout',
        strategy: 'image',
        reason: 'Checkout 3.9.0 fails payments',
      },
      'dave',
    );
    expectCleanRun(response, {
      kubernetes: 'skipped',
      image: 'completed',
      git: 'skipped',
      verify: 'completed',
      announce: 'completed',
    });
    const after = standIn.getDeployment('default', 'checkout')!;
    expect(after.metadata.resourceVersion).toBe(
      before.metadata.resourceVersion,
    );
    expect(after.spec.template.spec.containers[0].image).toBe(IMAGES[2]);
    const requests = standIn.requests.slice(requestsBefore);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter(r => r.method !== 'GET')).toEqual([]);
  });

  it('refuses rollback-bad-deploy to bob (engineering only) before the cluster is touched', async () => {
    const requestsBefore = standIn.requests.length;
    const response = await dryRun(
      'rollback-bad-deploy',
      {
        entity: 'component:default/checkout',
        strategy: 'kubernetes',
        reason: 'Checkout 3.9.0 fails payments',
      },
      'bob',
    );
    expect(response.status).toBe(403);
    expect(response.body.error).toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining(
        'Unauthorized action: ops:rollback:kubernetes',
      ),
    });
    expect(standIn.requests.length).toBe(requestsBefore);
  });

  it('dry-runs collect-soc2-evidence for one service, asking the evidence plugin as dave', async () => {
    const response = await dryRun(
      'collect-soc2-evidence',
      {
        collectorId: 'change-management',
        entityRef: 'component:default/checkout',
      },
      'dave',
    );
    const messages = expectCleanRun(response, { collect: 'completed' });
    expect(messages).toContainEqual(
      expect.stringContaining(
        'would start collector change-management (Collector change-management) for component:default/checkout',
      ),
    );
    expect(calls).toEqual([
      { route: 'GET /collectors', caller: 'user:default/dave' },
    ]);
  });

  it('dry-runs collect-soc2-evidence for the whole portal when no service is picked', async () => {
    const response = await dryRun(
      'collect-soc2-evidence',
      { collectorId: 'sbom' },
      'dave',
    );
    const messages = expectCleanRun(response, { collect: 'completed' });
    expect(messages).toContainEqual(
      expect.stringContaining('would start collector sbom'),
    );
    expect(messages).toContainEqual(
      expect.stringContaining('for the whole portal'),
    );
  });

  it('offers only collectors the evidence plugin has', async () => {
    const { enum: ids } = (template('collect-soc2-evidence').spec as any)
      .parameters[0].properties.collectorId;
    for (const collectorId of ids as string[]) {
      const response = await dryRun(
        'collect-soc2-evidence',
        { collectorId },
        'dave',
      );
      expect(expectCleanRun(response, { collect: 'completed' })).toContainEqual(
        expect.stringContaining(`would start collector ${collectorId} `),
      );
    }
  });

  it('dry-runs generate-soc2-binder', async () => {
    const response = await dryRun(
      'generate-soc2-binder',
      {
        periodStart: '2026-01-01T00:00:00Z',
        periodEnd: '2026-12-31T23:59:59Z',
      },
      'dave',
    );
    const messages = expectCleanRun(response, { binder: 'completed' });
    expect(messages).toContainEqual(
      expect.stringContaining(
        'would request a binder of 2026-01-01T00:00:00Z to 2026-12-31T23:59:59Z covering all points',
      ),
    );
  });

  it('dry-runs start-drill with participants, reading the runbook from the drills plugin', async () => {
    const response = await dryRun(
      'start-drill',
      {
        scenarioId: 'database-failure-restore',
        participants: [
          { entityRef: 'user:default/erin', role: 'coordinator' },
          { entityRef: 'user:default/frank', role: 'scribe' },
        ],
      },
      'dave',
    );
    const messages = expectCleanRun(response, { start: 'completed' });
    expect(messages).toContainEqual(
      expect.stringContaining(
        'would start a drill of database-failure-restore',
      ),
    );
    expect(messages).toContainEqual(
      expect.stringContaining('4 checkpoints) with 2 participant(s)'),
    );
    expect(calls).toEqual([
      {
        route: 'GET /runbooks/database-failure-restore',
        caller: 'user:default/dave',
      },
    ]);
  });

  it('offers only scenarios the runbooks hold', async () => {
    const { enum: ids } = (template('start-drill').spec as any).parameters[0]
      .properties.scenarioId;
    for (const scenarioId of ids as string[]) {
      const response = await dryRun('start-drill', { scenarioId }, 'dave');
      expect(expectCleanRun(response, { start: 'completed' })).toContainEqual(
        expect.stringContaining(`would start a drill of ${scenarioId} `),
      );
    }
  });
});
