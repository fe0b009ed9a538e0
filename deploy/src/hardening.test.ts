import { findViolations, readHardeningRules } from './hardening';

const rules = readHardeningRules();

function deployment(resources: unknown, env?: unknown) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'x', labels: { app: 'a', component: 'c', tier: 't' } },
    spec: {
      template: {
        spec: {
          securityContext: { runAsNonRoot: true },
          containers: [
            {
              name: 'app',
              image: `registry.example.com/ops-portal/x@sha256:${'b'.repeat(
                64,
              )}`,
              securityContext: {
                readOnlyRootFilesystem: true,
                allowPrivilegeEscalation: false,
                capabilities: { drop: ['ALL'] },
              },
              resources,
              ...(env ? { env } : {}),
            },
          ],
        },
      },
    },
  };
}

const params = {
  allowedRegistries: ['registry.example.com/ops-portal'],
  requiredLabels: ['app', 'component', 'tier'],
};

function rulesBroken(resources: unknown, env?: unknown) {
  return findViolations([deployment(resources, env)], rules, params).map(
    v => v.rule,
  );
}

describe('resource-maximums', () => {
  it.each([
    [{ cpu: '8', memory: '16Gi' }],
    [{ cpu: '8000m', memory: '16384Mi' }],
    [{ cpu: '7.5', memory: '17G' }],
    [{ cpu: 2, memory: 17179869184 }],
  ])('allows %j', limits => {
    expect(rulesBroken({ limits })).toEqual([]);
  });

  it.each([
    [{ cpu: '9', memory: '1Gi' }],
    [{ cpu: '8001m', memory: '1Gi' }],
    [{ cpu: '8.5', memory: '1Gi' }],
    [{ cpu: '1', memory: '17Gi' }],
    [{ cpu: '1', memory: '18G' }],
    [{ cpu: '1', memory: '1.5Gi' }],
    [{ cpu: '1', memory: '17179869185' }],
  ])('refuses %j', limits => {
    expect(rulesBroken({ limits })).toEqual(['resource-maximums']);
  });

  it('reads requests as well as limits', () => {
    expect(
      rulesBroken({
        limits: { cpu: '1', memory: '1Gi' },
        requests: { cpu: '12' },
      }),
    ).toEqual(['resource-maximums']);
  });
});

describe('no-secrets-in-env', () => {
  const limits = { limits: { cpu: '1', memory: '1Gi' } };
  it('allows plain values and values from Secrets', () => {
    expect(
      rulesBroken(limits, [
        { name: 'LOG_LEVEL', value: 'info' },
        {
          name: 'DB_PASSWORD',
          valueFrom: { secretKeyRef: { name: 's', key: 'k' } },
        },
      ]),
    ).toEqual([]);
  });

  it.each([
    [{ name: 'slack_token', value: 'xoxb-1' }],
    [{ name: 'STRIPE_API_KEY', value: 'sk' }],
    [{ name: 'SIGNING', value: '-----BEGIN PRIVATE KEY-----' }],
  ])('refuses %j', env => {
    expect(rulesBroken(limits, [env])).toEqual(['no-secrets-in-env']);
  });
});
