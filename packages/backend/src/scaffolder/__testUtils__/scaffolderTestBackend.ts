import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import permissionBackend from '@backstage/plugin-permission-backend';
import scaffolderBackend from '@backstage/plugin-scaffolder-backend';
import opsScaffolderModule from '@internal/plugin-scaffolder-backend-module-ops';
import { TEST_AUDIT_KEY } from '@internal/plugin-ops-node/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { httpAuthWithActorFactory } from '../../modules/__testUtils__/httpAuthWithActor';
import opsPolicyModule from '../../modules/opsPermissionPolicy';
import { CallLog, drillsApiDouble, evidenceApiDouble } from './pluginDoubles';

export const ROOT = join(__dirname, '../../../../..');

/** templates/all.yaml's Template entities, as the catalog would hold them. */
export function readTemplates(): Entity[] {
  const location = parse(
    readFileSync(join(ROOT, 'templates/all.yaml'), 'utf8'),
  );
  return (location.spec.targets as string[]).map(
    target =>
      parse(readFileSync(join(ROOT, 'templates', target), 'utf8')) as Entity,
  );
}

/**
 * examples/org.yaml's Users and Groups with the membership relations the
 * catalog derives from `memberOf` (the mock catalog derives none).
 */
export function readOrg(): Entity[] {
  const entities = parseAllDocuments(
    readFileSync(join(ROOT, 'examples/org.yaml'), 'utf8'),
  ).map(d => ({
    ...(d.toJS() as Entity),
    relations: [] as NonNullable<Entity['relations']>,
  }));
  const byRef = new Map(entities.map(e => [stringifyEntityRef(e), e]));
  for (const user of entities.filter(e => e.kind === 'User')) {
    const userRef = stringifyEntityRef(user);
    for (const name of (user.spec?.memberOf as string[]) ?? []) {
      const groupRef = `group:default/${name}`;
      user.relations.push({ type: 'memberOf', targetRef: groupRef });
      byRef.get(groupRef)?.relations.push({
        type: 'hasMember',
        targetRef: userRef,
      });
    }
  }
  return entities;
}

export const checkoutComponent: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'checkout',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': 'checkout',
      // Where ops:verify:health looks (no SLO plugin here); a dry run checks
      // it once and reports, whatever it answers.
      'ops.portal/health-url': 'http://127.0.0.1:9/health',
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'engineering' },
};

export const KUBERNETES_TOKEN = 'stand-in-token';

/**
 * The portal's scaffolder as packages/backend/src/index.ts adds it (the
 * scaffolder, the ops actions module, the permission backend with the
 * portal's policy), with a mock catalog holding `entities`, one Kubernetes
 * cluster at `kubernetesUrl`, and doubles of the evidence and drills APIs.
 */
export async function startScaffolderTestBackend(options: {
  entities: Entity[];
  kubernetesUrl: string;
  calls: CallLog;
}) {
  return startTestBackend({
    features: [
      scaffolderBackend,
      opsScaffolderModule,
      permissionBackend,
      opsPolicyModule,
      evidenceApiDouble(options.calls),
      drillsApiDouble(options.calls, join(ROOT, 'runbooks')),
      catalogServiceMock.factory({ entities: options.entities }),
      httpAuthWithActorFactory,
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          permission: { enabled: true },
          ops: {
            audit: { signingKey: TEST_AUDIT_KEY },
            // No evidence plugin here; no notify target either.
            scaffolder: { evidenceFiling: { enabled: false } },
          },
          kubernetes: {
            clusterLocatorMethods: [
              {
                type: 'config',
                clusters: [
                  {
                    name: 'test',
                    url: options.kubernetesUrl,
                    authProvider: 'serviceAccount',
                    serviceAccountToken: KUBERNETES_TOKEN,
                    skipTLSVerify: true,
                  },
                ],
              },
            ],
          },
        },
      }),
    ],
  });
}
