import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { KubernetesStandIn } from '../kubernetes/standIn';
import {
  createRollbackKubernetesAction,
  KubernetesRollbackRecord,
} from './rollbackKubernetes';

// A budget for a loaded machine, not a speed check.
jest.setTimeout(30_000);

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

describe('ops:rollback:kubernetes', () => {
  let k8s: KubernetesStandIn;
  beforeEach(async () => {
    k8s = await KubernetesStandIn.start({ readyAfterMs: 50, token: 'demo' });
    k8s.seed({
      name: 'payments',
      namespace: 'shop',
      labels: { app: 'payments', 'backstage.io/kubernetes-id': 'payments' },
      replicas: 2,
      images: ['pay:1', 'pay:2'],
    });
  });
  afterEach(() => k8s.close());

  const setup = (records: KubernetesRollbackRecord[] = []) => {
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
    const requested: string[] = [];
    const action = createRollbackKubernetesAction({
      config,
      getEntity: async ref => {
        requested.push(ref);
        return ref === 'component:default/payments' ? entity : undefined;
      },
      onRolledBack: r => {
        records.push(r);
      },
      timing: { pollIntervalMs: 20, requestTimeoutMs: 10_000 },
    });
    return { action, requested };
  };

  const context = (input: Record<string, unknown>, isDryRun = false) => {
    const output: Record<string, unknown> = {};
    return {
      output,
      ctx: {
        input,
        isDryRun,
        logger: mockServices.logger.mock(),
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

  it('declares id, dry-run support, examples and schemas', () => {
    const { action } = setup();
    expect(action.id).toBe('ops:rollback:kubernetes');
    expect(action.supportsDryRun).toBe(true);
    expect(action.examples?.length).toBeGreaterThan(0);
    expect((action.schema?.input as any).required).toEqual([
      'entityRef',
      'reason',
    ]);
  });

  it('rolls back, outputs the result and hands it to onRolledBack', async () => {
    const records: KubernetesRollbackRecord[] = [];
    const { action, requested } = setup(records);
    const { ctx, output } = context({
      entityRef: 'payments',
      reason: 'errors after deploy',
      incidentUrl: 'https://status.example.com/i/1',
      timeoutSeconds: 60,
    });
    await action.handler(ctx);
    expect(requested).toEqual(['component:default/payments']);
    expect(output).toMatchObject({
      cluster: 'demo',
      namespace: 'shop',
      deployment: 'payments',
      fromRevision: 2,
      toRevision: 1,
      imagesBefore: ['payments=pay:2'],
      imagesAfter: ['payments=pay:1'],
      dryRun: false,
    });
    expect(records).toEqual([
      expect.objectContaining({
        entityRef: 'component:default/payments',
        reason: 'errors after deploy',
        incidentUrl: 'https://status.example.com/i/1',
        initiatedBy: 'user:default/oncall-amy',
        toRevision: 1,
      }),
    ]);
    expect(
      k8s.getDeployment('shop', 'payments')!.spec.template.spec.containers[0]
        .image,
    ).toBe('pay:1');
  });

  it('a dry run changes nothing and files nothing', async () => {
    const records: KubernetesRollbackRecord[] = [];
    const { action } = setup(records);
    const before = k8s.getDeployment('shop', 'payments');
    const { ctx, output } = context(
      { entityRef: 'component:default/payments', reason: 'try it' },
      true,
    );
    await action.handler(ctx);
    expect(output).toMatchObject({
      dryRun: true,
      fromRevision: 2,
      toRevision: 1,
    });
    expect(records).toEqual([]);
    expect(k8s.getDeployment('shop', 'payments')).toEqual(before);
  });

  it('fails for an entity missing from the catalog', async () => {
    const { action } = setup();
    const { ctx } = context({
      entityRef: 'component:default/ghost',
      reason: 'x y z',
    });
    await expect(action.handler(ctx)).rejects.toThrow(
      'Entity component:default/ghost not found in the catalog',
    );
  });
});
