import { Environment } from '@marcbachmann/cel-js';
import { evaluateHardening } from './evaluate';
import { loadHardeningRules, type HardeningRuleSet } from './rules';

const DIGEST = `@sha256:${'a'.repeat(64)}`;
const PARAMS = { allowedRegistries: ['ghcr.io/acme'] };

function hardenedContainer(name: string) {
  return {
    name,
    image: `ghcr.io/acme/${name}${DIGEST}`,
    securityContext: {
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    },
    resources: { limits: { cpu: '500m', memory: '256Mi' } },
  };
}

function hardenedPodSpec() {
  return {
    securityContext: { runAsNonRoot: true },
    containers: [hardenedContainer('app'), hardenedContainer('sidecar')],
  };
}

function deployment(podSpec: any = hardenedPodSpec()) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', namespace: 'shop' },
    spec: { replicas: 2, template: { metadata: {}, spec: podSpec } },
  };
}

let rules: HardeningRuleSet;
beforeAll(async () => {
  rules = await loadHardeningRules();
});

function failed(object: unknown) {
  const [workload] = evaluateHardening([object], rules, PARAMS);
  return workload.results
    .filter(r => r.status === 'fail')
    .map(r => ({ rule: r.rule, containers: r.failingContainers }));
}

/** Evaluates a rule's admission form (over the whole pod) as a policy would. */
function admissionVerdict(object: unknown, ruleId: string): boolean {
  const env = new Environment()
    .registerVariable('object', 'map')
    .registerVariable('variables', 'map')
    .registerVariable('params', 'map');
  const variables: Record<string, unknown> = {};
  for (const v of rules.variables) {
    variables[v.name] = env.evaluate(v.expression, {
      object,
      variables,
      params: PARAMS,
    });
  }
  const rule = rules.rules.find(r => r.id === ruleId)!;
  return env.evaluate(rule.podExpression, {
    object,
    variables,
    params: PARAMS,
  });
}

describe('the shipped hardening rules', () => {
  it('has the rules the issue names', () => {
    expect(rules.rules.map(r => r.id)).toEqual([
      'run-as-non-root',
      'read-only-root-filesystem',
      'drop-all-capabilities',
      'no-privileged',
      'no-privilege-escalation',
      'resource-limits',
      'image-by-digest',
      'allowed-registries',
      'no-host-namespaces',
      'resource-maximums',
      'required-labels',
      'no-secrets-in-env',
    ]);
    expect(rules.source.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('evaluateHardening', () => {
  it('passes a hardened Deployment on every rule', () => {
    const [workload] = evaluateHardening([deployment()], rules, PARAMS);
    expect(workload).toMatchObject({
      index: 0,
      kind: 'Deployment',
      name: 'api',
      namespace: 'shop',
    });
    expect(workload.results).toHaveLength(rules.rules.length);
    expect(workload.results.filter(r => r.status !== 'pass')).toEqual([]);
    for (const rule of rules.rules) {
      expect(admissionVerdict(deployment(), rule.id)).toBe(true);
    }
  });

  const violations: Array<[string, string, (spec: any) => void, string[]]> = [
    [
      'a container that may run as root',
      'run-as-non-root',
      spec => {
        spec.containers[1].securityContext.runAsNonRoot = false;
      },
      ['sidecar'],
    ],
    [
      'no runAsNonRoot anywhere',
      'run-as-non-root',
      spec => {
        delete spec.securityContext;
      },
      ['app', 'sidecar'],
    ],
    [
      'a writable root filesystem',
      'read-only-root-filesystem',
      spec => {
        spec.containers[0].securityContext.readOnlyRootFilesystem = false;
      },
      ['app'],
    ],
    [
      'capabilities not all dropped',
      'drop-all-capabilities',
      spec => {
        spec.containers[0].securityContext.capabilities.drop = ['NET_RAW'];
      },
      ['app'],
    ],
    [
      'a privileged container',
      'no-privileged',
      spec => {
        spec.containers[1].securityContext.privileged = true;
      },
      ['sidecar'],
    ],
    [
      'privilege escalation left at its default',
      'no-privilege-escalation',
      spec => {
        delete spec.containers[0].securityContext.allowPrivilegeEscalation;
      },
      ['app'],
    ],
    [
      'no memory limit',
      'resource-limits',
      spec => {
        delete spec.containers[0].resources.limits.memory;
      },
      ['app'],
    ],
    [
      'no resources at all',
      'resource-limits',
      spec => {
        delete spec.containers[1].resources;
      },
      ['sidecar'],
    ],
    [
      'an image by tag',
      'image-by-digest',
      spec => {
        spec.containers[0].image = 'ghcr.io/acme/app:1.4.2';
      },
      ['app'],
    ],
    [
      'an image from another registry',
      'allowed-registries',
      spec => {
        spec.containers[0].image = `docker.io/library/nginx${DIGEST}`;
      },
      ['app'],
    ],
    [
      'a registry that only starts like an allowed one',
      'allowed-registries',
      spec => {
        spec.containers[0].image = `ghcr.io/acme-evil/app${DIGEST}`;
      },
      ['app'],
    ],
    [
      'the host network',
      'no-host-namespaces',
      spec => {
        spec.hostNetwork = true;
      },
      [],
    ],
    [
      'the host PID namespace',
      'no-host-namespaces',
      spec => {
        spec.hostPID = true;
      },
      [],
    ],
    [
      'the host IPC namespace',
      'no-host-namespaces',
      spec => {
        spec.hostIPC = true;
      },
      [],
    ],
    [
      'an init container that is not hardened',
      'read-only-root-filesystem',
      spec => {
        const init = hardenedContainer('migrate');
        delete (init.securityContext as any).readOnlyRootFilesystem;
        spec.initContainers = [init];
      },
      ['migrate'],
    ],
  ];

  it.each(violations)(
    'fails exactly one rule for %s',
    (_label, ruleId, mutate, containers) => {
      const spec = hardenedPodSpec();
      mutate(spec);
      expect(failed(deployment(spec))).toEqual([{ rule: ruleId, containers }]);
      // The rule's admission form agrees.
      expect(admissionVerdict(deployment(spec), ruleId)).toBe(false);
    },
  );

  it('gives a failed rule its message and severity', () => {
    const spec = hardenedPodSpec();
    spec.containers[0].image = 'ghcr.io/acme/app:latest';
    const [workload] = evaluateHardening([deployment(spec)], rules, PARAMS);
    expect(workload.results.find(r => r.rule === 'image-by-digest')).toEqual({
      rule: 'image-by-digest',
      title: 'Image pinned by digest',
      severity: 'medium',
      status: 'fail',
      failingContainers: ['app'],
      message: expect.stringContaining('digest'),
    });
  });

  it('trusts no registry until one is configured', () => {
    const [workload] = evaluateHardening([deployment()], rules);
    expect(
      workload.results.filter(r => r.status === 'fail').map(r => r.rule),
    ).toEqual(['allowed-registries']);
  });

  it('reads the pod template of a CronJob', () => {
    const cronJob = (podSpec: any) => ({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly' },
      spec: {
        schedule: '0 3 * * *',
        jobTemplate: { spec: { template: { spec: podSpec } } },
      },
    });
    expect(failed(cronJob(hardenedPodSpec()))).toEqual([]);
    const spec = hardenedPodSpec();
    spec.containers[1].securityContext.capabilities.drop = [];
    expect(failed(cronJob(spec))).toEqual([
      { rule: 'drop-all-capabilities', containers: ['sidecar'] },
    ]);
  });

  it('reads the spec of a bare Pod', () => {
    const pod = (spec: any) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'debug' },
      spec,
    });
    expect(failed(pod(hardenedPodSpec()))).toEqual([]);
    const spec = hardenedPodSpec();
    (spec as any).hostPID = true;
    expect(failed(pod(spec))).toEqual([
      { rule: 'no-host-namespaces', containers: [] },
    ]);
  });

  it('reads StatefulSets, DaemonSets and Jobs and skips other kinds', () => {
    const objects = ['StatefulSet', 'DaemonSet', 'Job'].map(kind => ({
      ...deployment(),
      kind,
    }));
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'api' },
    };
    const results = evaluateHardening(
      [service, ...objects, 'text'],
      rules,
      PARAMS,
    );
    expect(results.map(r => [r.index, r.kind])).toEqual([
      [1, 'StatefulSet'],
      [2, 'DaemonSet'],
      [3, 'Job'],
    ]);
    for (const result of results) {
      expect(result.results.every(r => r.status === 'pass')).toBe(true);
    }
  });

  it('fails every rule, with the reason, on a workload without a pod template', () => {
    const broken = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'half' },
      spec: { replicas: 1 },
    };
    const [workload] = evaluateHardening([broken], rules, PARAMS);
    expect(workload.error).toMatch(/pod spec/);
    expect(workload.results).toHaveLength(rules.rules.length);
    expect(workload.results.every(r => r.status === 'fail' && r.error)).toBe(
      true,
    );
  });

  it('fails a rule it cannot evaluate on a container instead of passing it', () => {
    const spec: any = hardenedPodSpec();
    spec.containers[0].resources = { limits: null };
    const [workload] = evaluateHardening([deployment(spec)], rules, PARAMS);
    const limits = workload.results.find(r => r.rule === 'resource-limits')!;
    expect(limits.status).toBe('fail');
    expect(limits.failingContainers).toEqual(['app']);
  });
});
