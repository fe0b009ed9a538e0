import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { KubernetesStandIn } from '../kubernetes/standIn';
import {
  createRollbackImageAction,
  ImageRollbackRecord,
} from './rollbackImage';

// A budget for a loaded machine, not a speed check.
jest.setTimeout(30_000);

const GOOD = `registry.example.com/shop/pay@sha256:${'1'.repeat(64)}`;
const BAD = `registry.example.com/shop/pay@sha256:${'2'.repeat(64)}`;
const PINNED = `registry.example.com/shop/pay@sha256:${'e'.repeat(64)}`;

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments',
    annotations: {
      'backstage.io/kubernetes-id': 'payments',
      'backstage.io/kubernetes-namespace': 'shop',
    },
  },
  spec: { type: 'service', owner: 'team-pay', lifecycle: 'production' },
};

describe('ops:rollback:image', () => {
  let k8s: KubernetesStandIn;
  beforeEach(async () => {
    k8s = await KubernetesStandIn.start({ readyAfterMs: 50, token: 'demo' });
    k8s.seed({
      name: 'payments',
      namespace: 'shop',
      labels: { app: 'payments', 'backstage.io/kubernetes-id': 'payments' },
      replicas: 2,
      images: [GOOD, BAD],
    });
  });
  afterEach(() => k8s.close());

  const setup = (records: ImageRollbackRecord[] = []) => {
    const config = new ConfigReader({
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [
              {
                name: 'demo',
                url: k8s.url,
                authProvider: 'serviceAccount',
                serviceAccountToken: 'demo',
                skipTLSVerify: true,
              },
            ],
          },
        ],
      },
    });
    return createRollbackImageAction({
      config,
      getEntity: async ref =>
        ref === 'component:default/payments' ? entity : undefined,
      onRolledBack: r => {
        records.push(r);
      },
      timing: { pollIntervalMs: 20, requestTimeoutMs: 10_000 },
    });
  };

  const context = (input: Record<string, unknown>, isDryRun = false) => {
    const output: Record<string, unknown> = {};
    const logger = mockServices.logger.mock();
    return {
      output,
      logger,
      ctx: {
        input,
        isDryRun,
        logger,
        output: (name: string, value: unknown) => {
          output[name] = value;
        },
        getInitiatorCredentials: async () =>
          mockCredentials.user('user:default/oncall-amy'),
        user: { ref: 'user:default/oncall-amy' },
        workspacePath: '/tmp',
        checkpoint: async ({ fn }: any) => fn(),
        createTemporaryDirectory: async () => '/tmp',
        task: { id: 't1' },
      } as any,
    };
  };

  const image = () =>
    k8s.getDeployment('shop', 'payments')!.spec.template.spec.containers[0]
      .image;

  it('declares id, dry-run support, examples and schemas', () => {
    const action = setup();
    expect(action.id).toBe('ops:rollback:image');
    expect(action.supportsDryRun).toBe(true);
    expect(action.examples?.length).toBeGreaterThan(0);
    expect((action.schema?.input as any).required).toEqual([
      'entityRef',
      'reason',
    ]);
  });

  it('puts the previous image back, outputs the result and hands it to onRolledBack', async () => {
    const records: ImageRollbackRecord[] = [];
    const action = setup(records);
    const { ctx, output } = context({
      entityRef: 'payments',
      reason: 'errors after deploy',
      incidentUrl: 'https://status.example.com/i/1',
      timeoutSeconds: 60,
    });
    await action.handler(ctx);
    expect(output).toMatchObject({
      cluster: 'demo',
      namespace: 'shop',
      deployment: 'payments',
      container: 'payments',
      imageBefore: BAD,
      imageAfter: GOOD,
      fromRevision: 2,
      toRevision: 3,
      dryRun: false,
    });
    expect(typeof output.durationMs).toBe('number');
    expect(typeof output.rolloutWaitMs).toBe('number');
    expect(records).toEqual([
      {
        ...output,
        entityRef: 'component:default/payments',
        reason: 'errors after deploy',
        incidentUrl: 'https://status.example.com/i/1',
        initiatedBy: 'user:default/oncall-amy',
        taskId: 't1',
        stepId: undefined,
        startedAt: expect.any(String),
      },
    ]);
    expect(image()).toBe(GOOD);
  });

  it('sets a given digest', async () => {
    const action = setup();
    const { ctx, output } = context({
      entityRef: 'component:default/payments',
      image: PINNED,
      reason: 'pin the known-good build',
    });
    await action.handler(ctx);
    expect(output).toMatchObject({ imageBefore: BAD, imageAfter: PINNED });
    expect(image()).toBe(PINNED);
  });

  it('refuses a tag', async () => {
    const action = setup();
    const { ctx } = context({
      entityRef: 'component:default/payments',
      image: 'registry.example.com/shop/pay:1.0',
      reason: 'pin it',
    });
    await expect(action.handler(ctx)).rejects.toThrow(
      /is not pinned by digest/,
    );
    expect(image()).toBe(BAD);
  });

  it('a dry run logs what would change, changes nothing and files nothing', async () => {
    const records: ImageRollbackRecord[] = [];
    const action = setup(records);
    const before = k8s.getDeployment('shop', 'payments')!;
    const { ctx, output, logger } = context(
      { entityRef: 'component:default/payments', reason: 'try it' },
      true,
    );
    await action.handler(ctx);
    expect(output).toMatchObject({
      dryRun: true,
      imageBefore: BAD,
      imageAfter: GOOD,
      fromRevision: 2,
      toRevision: 2,
    });
    expect(logger.info).toHaveBeenCalledWith(
      `Would set container payments of Deployment shop/payments on cluster demo from ${BAD} to ${GOOD} (revision 2)`,
    );
    expect(records).toEqual([]);
    const after = k8s.getDeployment('shop', 'payments')!;
    expect(after.metadata.resourceVersion).toBe(
      before.metadata.resourceVersion,
    );
    expect(after).toEqual(before);
  });

  it('fails for an entity missing from the catalog', async () => {
    const action = setup();
    const { ctx } = context({
      entityRef: 'component:default/ghost',
      reason: 'x y z',
    });
    await expect(action.handler(ctx)).rejects.toThrow(
      'Entity component:default/ghost not found in the catalog',
    );
  });
});
