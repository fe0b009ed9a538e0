import { TEST_AUDIT_KEY } from '@internal/plugin-ops-node/testing';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  ConditionalPolicyDecision,
  Permission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import type { Entity } from '@backstage/catalog-model';
import { permissionRules as catalogPermissionRules } from '@backstage/plugin-catalog-backend/alpha';
import {
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
  catalogEntityRefreshPermission,
} from '@backstage/plugin-catalog-common/alpha';
import {
  actionExecutePermission,
  taskCreatePermission,
  templateParameterReadPermission,
} from '@backstage/plugin-scaffolder-common/alpha';
import {
  PermissionRule,
  createConditionAuthorizer,
  createConditionTransformer,
} from '@backstage/plugin-permission-node';
import {
  privacyExportDownloadPermission,
  privacyRequestApprovePermission,
  privacyRequestCreatePermission,
  privacyRequestReadPermission,
  privacyRequestSubjectReadPermission,
} from '@internal/plugin-privacy-common';
import { sloReadPermission } from '@internal/plugin-slo-common';
import {
  drillsLeadPermission,
  drillsParticipatePermission,
  drillsReadPermission,
} from '@internal/plugin-drills-common';
import {
  securityAlertManagePermission,
  securityAlertReadPermission,
} from '@internal/plugin-security-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { randomBytes } from 'node:crypto';
import request from 'supertest';

const testKey = () => randomBytes(32).toString('base64');
import permissionBackend from '@backstage/plugin-permission-backend';
import privacyBackend from '@internal/plugin-privacy-backend';
import { httpAuthWithActorFactory } from './__testUtils__/httpAuthWithActor';
import opsPolicyModule, {
  CatalogMemberships,
  OpsPermissionPolicy,
} from './opsPermissionPolicy';

jest.setTimeout(60_000);

const groupsOf: Record<string, string[]> = {
  'user:default/alice': ['group:default/privacy'],
  'user:default/bob': ['group:default/engineering'],
  'user:default/carol': ['group:default/compliance'],
  'user:default/dave': ['group:default/oncall', 'group:default/drill-leads'],
  'user:default/nobody': [],
};

/** The catalog's Groups of the demo users, with the relation the catalog derives from spec.members. */
const groupEntities = () => {
  const members = new Map<string, string[]>();
  for (const [user, groups] of Object.entries(groupsOf)) {
    for (const group of groups) {
      members.set(group, [...(members.get(group) ?? []), user]);
    }
  }
  return [...members].map(([group, users]) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: group.split('/')[1], namespace: 'default' },
    spec: { type: 'team', children: [] },
    relations: users.map(user => ({ type: 'hasMember', targetRef: user })),
  }));
};

/** Memberships straight from the table above. */
const memberships = { groupsOf: async (ref: string) => groupsOf[ref] ?? [] };

const member = (name: string) => {
  const credentials = mockCredentials.user(`user:default/${name}`);
  return {
    credentials,
    info: {
      userEntityRef: credentials.principal.userEntityRef,
      ownershipEntityRefs: [],
    },
  };
};

describe('OpsPermissionPolicy', () => {
  const policy = new OpsPermissionPolicy(memberships);

  it('lets drill leads lead, and every signed-in user read and take part in drills', async () => {
    const decide = async (
      permission: typeof drillsReadPermission,
      name: string,
    ) => (await policy.handle({ permission }, member(name))).result;
    expect(await decide(drillsLeadPermission, 'dave')).toBe(
      AuthorizeResult.ALLOW,
    );
    expect(await decide(drillsLeadPermission, 'bob')).toBe(
      AuthorizeResult.DENY,
    );
    expect(await decide(drillsLeadPermission, 'nobody')).toBe(
      AuthorizeResult.DENY,
    );
    for (const name of ['dave', 'bob', 'nobody']) {
      expect(await decide(drillsParticipatePermission, name)).toBe(
        AuthorizeResult.ALLOW,
      );
      expect(await decide(drillsReadPermission, name)).toBe(
        AuthorizeResult.ALLOW,
      );
    }
    // Not without a user.
    expect(
      (await policy.handle({ permission: drillsParticipatePermission })).result,
    ).toBe(AuthorizeResult.DENY);
  });

  it('lets platform, on-call and compliance read security alerts, and platform and on-call manage them', async () => {
    const decide = async (
      permission: typeof securityAlertReadPermission,
      name: string,
    ) => (await policy.handle({ permission }, member(name))).result;
    for (const name of ['dave', 'carol']) {
      expect(await decide(securityAlertReadPermission, name)).toBe(
        AuthorizeResult.ALLOW,
      );
    }
    expect(await decide(securityAlertManagePermission, 'dave')).toBe(
      AuthorizeResult.ALLOW,
    );
    expect(await decide(securityAlertManagePermission, 'carol')).toBe(
      AuthorizeResult.DENY,
    );
    // The events hold addresses and user refs: engineers at large do not read them.
    for (const name of ['bob', 'nobody']) {
      expect(await decide(securityAlertReadPermission, name)).toBe(
        AuthorizeResult.DENY,
      );
    }
  });

  it('grants privacy writes to the privacy group only', async () => {
    const query = { permission: privacyRequestCreatePermission };
    expect((await policy.handle(query, member('alice'))).result).toBe(
      AuthorizeResult.ALLOW,
    );
    expect((await policy.handle(query, member('carol'))).result).toBe(
      AuthorizeResult.DENY,
    );
    expect((await policy.handle(query, member('nobody'))).result).toBe(
      AuthorizeResult.DENY,
    );
  });

  it('lets compliance read privacy requests but not engineering', async () => {
    const query = { permission: privacyRequestReadPermission };
    expect((await policy.handle(query, member('carol'))).result).toBe(
      AuthorizeResult.ALLOW,
    );
    expect((await policy.handle(query, member('bob'))).result).toBe(
      AuthorizeResult.DENY,
    );
  });

  it('decides privacy-request permissions: compliance reads every request, never a subject id nor a bundle; privacy only where its groups own the region or it filed the request', async () => {
    for (const permission of [
      privacyRequestReadPermission,
      privacyRequestSubjectReadPermission,
      privacyRequestApprovePermission,
      privacyExportDownloadPermission,
    ]) {
      const query = { permission };
      expect(await policy.handle(query, member('alice'))).toEqual({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'privacy',
        resourceType: 'privacy-request',
        conditions: {
          anyOf: [
            {
              resourceType: 'privacy-request',
              rule: 'IS_REGION_OWNED_BY',
              params: { groups: ['group:default/privacy'] },
            },
            {
              resourceType: 'privacy-request',
              rule: 'IS_REQUESTER',
              params: { userEntityRef: 'user:default/alice' },
            },
          ],
        },
      });
      expect((await policy.handle(query, member('carol'))).result).toBe(
        permission === privacyRequestReadPermission
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
      );
      expect((await policy.handle(query, member('bob'))).result).toBe(
        AuthorizeResult.DENY,
      );
      expect((await policy.handle(query)).result).toBe(AuthorizeResult.DENY);
    }
  });

  it('lets every signed-in user read SLOs, and nobody without a user', async () => {
    const query = { permission: sloReadPermission };
    expect((await policy.handle(query, member('nobody'))).result).toBe(
      AuthorizeResult.ALLOW,
    );
    expect((await policy.handle(query)).result).toBe(AuthorizeResult.DENY);
  });

  it('denies an unknown permission of an ops plugin', async () => {
    const query = {
      permission: {
        type: 'basic' as const,
        name: 'privacy.something.new',
        attributes: {},
      },
    };
    expect((await policy.handle(query, member('alice'))).result).toBe(
      AuthorizeResult.DENY,
    );
  });
});

describe('CatalogMemberships', () => {
  const auth = {
    getOwnServiceCredentials: async () => mockCredentials.service(),
  };

  it("reads a user's groups from the catalog, not from the token", async () => {
    const resolver = new CatalogMemberships(
      catalogServiceMock({ entities: groupEntities() }),
      auth,
    );
    expect(await resolver.groupsOf('user:default/alice')).toEqual([
      'group:default/privacy',
    ]);
    expect(await resolver.groupsOf('user:default/nobody')).toEqual([]);
  });

  it('sees a membership removed, or added after sign-in, within its cache time', async () => {
    let members = ['user:default/alice'];
    const getEntities = jest.fn(async (query: { filter?: unknown }) => {
      const wanted = (query.filter as Record<string, string>)[
        'relations.hasMember'
      ];
      return {
        items: members.includes(wanted)
          ? [
              {
                apiVersion: 'backstage.io/v1alpha1',
                kind: 'Group',
                metadata: { name: 'privacy', namespace: 'default' },
              },
            ]
          : [],
      };
    });
    let clock = 0;
    const resolver = new CatalogMemberships(
      { getEntities } as any,
      auth,
      10_000,
      () => clock,
    );
    const policy = new OpsPermissionPolicy(resolver);
    const query = { permission: privacyRequestCreatePermission };
    expect((await policy.handle(query, member('alice'))).result).toBe(
      AuthorizeResult.ALLOW,
    );
    // Removed from the group: still cached for a few seconds, then refused.
    members = [];
    clock += 5_000;
    expect((await policy.handle(query, member('alice'))).result).toBe(
      AuthorizeResult.ALLOW,
    );
    clock += 5_001;
    expect((await policy.handle(query, member('alice'))).result).toBe(
      AuthorizeResult.DENY,
    );
    // Signed in before the catalog knew of a membership: allowed once it does.
    expect((await policy.handle(query, member('dave'))).result).toBe(
      AuthorizeResult.DENY,
    );
    members = ['user:default/dave'];
    clock += 10_001;
    expect((await policy.handle(query, member('dave'))).result).toBe(
      AuthorizeResult.ALLOW,
    );
    expect(getEntities).toHaveBeenCalledTimes(4);
  });
});

describe('privacy routes behind the real permission backend and our policy', () => {
  async function start() {
    const { server } = await startTestBackend({
      features: [
        permissionBackend,
        opsPolicyModule,
        privacyBackend,
        catalogServiceMock.factory({ entities: groupEntities() }),
        httpAuthWithActorFactory,
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            ops: { audit: { signingKey: TEST_AUDIT_KEY } },
            privacy: {
              identifiers: {
                key: { id: 'test', key: testKey() },
                pepper: testKey(),
              },
              regions: {},
            },
          },
        }),
      ],
    });
    return server;
  }

  const body = {
    subject: { id: 'customer-7' },
    region: 'US',
    jurisdiction: 'CCPA',
  };

  it('gives a user outside the privacy group 403 on intake', async () => {
    const server = await start();
    const response = await request(server)
      .post('/api/privacy/export')
      .set('Authorization', mockCredentials.user.header('user:default/bob'))
      .send(body);
    expect(response.status).toBe(403);
    const listed = await request(server)
      .get('/api/privacy/requests')
      .set('Authorization', mockCredentials.user.header('user:default/bob'));
    expect(listed.status).toBe(403);
  });

  it('lets a member of the privacy group through', async () => {
    const server = await start();
    const response = await request(server)
      .post('/api/privacy/export')
      .set('Authorization', mockCredentials.user.header('user:default/alice'))
      .send(body);
    expect(response.status).toBe(201);
    expect(response.body.requester).toBe('user:default/alice');
  });
});

describe('OpsPermissionPolicy: the rollback guard', () => {
  const rollbackGroups: Record<string, string[]> = {
    'user:default/olga': ['group:default/oncall'],
    'user:default/pat': ['group:default/platform', 'group:default/engineering'],
    'user:default/bob': ['group:default/engineering'],
    'user:default/nobody': [],
  };
  const policy = new OpsPermissionPolicy({
    groupsOf: async ref => rollbackGroups[ref] ?? [],
  });

  // How the scaffolder applies this decision to a step is tested end to end
  // in src/scaffolder/templates.test.ts (bob's rollback dry run is refused).
  /** A ruleset of rules, as the permissions registry gives a plugin. */
  const ruleset = (rules: PermissionRule<any, any, string>[]) => ({
    getRuleByName(name: string) {
      const rule = rules.find(r => r.name === name);
      if (!rule) throw new Error(`No rule ${name}`);
      return rule;
    },
  });
  const catalogRules = ruleset(Object.values(catalogPermissionRules));
  const isEntityAuthorized = createConditionAuthorizer<Entity>(catalogRules);
  const toCatalogQuery = createConditionTransformer(catalogRules);

  const ROLLBACK_ACTIONS = [
    'ops:rollback:kubernetes',
    'ops:rollback:image',
    'ops:rollback:git-revert',
    'ops:notify',
  ];

  const decide = (
    permission: Permission,
    name?: string,
  ): Promise<PolicyDecision> =>
    policy.handle({ permission }, name ? member(name) : undefined);

  it('lets on-call and platform members execute every action', async () => {
    for (const name of ['olga', 'pat']) {
      expect(await decide(actionExecutePermission, name)).toEqual({
        result: AuthorizeResult.ALLOW,
      });
    }
  });

  it('lets anyone else execute every action but the rollbacks', async () => {
    for (const name of ['bob', 'nobody', undefined]) {
      const decision = await decide(actionExecutePermission, name);
      expect(decision).toEqual({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'scaffolder',
        resourceType: 'scaffolder-action',
        conditions: {
          not: {
            anyOf: ROLLBACK_ACTIONS.map(actionId => ({
              resourceType: 'scaffolder-action',
              rule: 'HAS_ACTION_ID',
              params: { actionId },
            })),
          },
        },
      });
    }
  });

  const entity = (kind: string, labels?: Record<string, string>): Entity => ({
    apiVersion: kind === 'Template' ? 'scaffolder.backstage.io/v1beta3' : 'v1',
    kind,
    metadata: { name: 'rollback-bad-deploy', namespace: 'default', labels },
  });
  const restricted = { 'ops.portal/restricted': 'true' };

  it('shows every entity to on-call and platform members', async () => {
    for (const name of ['olga', 'pat']) {
      expect(await decide(catalogEntityReadPermission, name)).toEqual({
        result: AuthorizeResult.ALLOW,
      });
    }
  });

  it('hides the restricted Templates from anyone else, and nothing more', async () => {
    for (const name of ['bob', 'nobody', undefined]) {
      const decision = await decide(catalogEntityReadPermission, name);
      expect(decision).toMatchObject({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'catalog',
        resourceType: 'catalog-entity',
      });
      expect(isEntityAuthorized(decision, entity('Template', restricted))).toBe(
        false,
      );
      expect(isEntityAuthorized(decision, entity('Template'))).toBe(true);
      expect(
        isEntityAuthorized(decision, entity('Template', { tier: 'gold' })),
      ).toBe(true);
      // The label restricts Templates only.
      expect(
        isEntityAuthorized(decision, entity('Component', restricted)),
      ).toBe(true);
      expect(isEntityAuthorized(decision, entity('Group'))).toBe(true);
      // How the catalog filters its database with it.
      expect(
        toCatalogQuery(
          (decision as ConditionalPolicyDecision).conditions as any,
        ),
      ).toEqual({
        not: {
          allOf: [
            { key: 'kind', values: ['template'] },
            { key: 'metadata.labels.ops.portal/restricted' },
          ],
        },
      });
    }
  });

  it('leaves the other scaffolder and catalog permissions allowed', async () => {
    for (const permission of [
      templateParameterReadPermission,
      taskCreatePermission,
      catalogEntityDeletePermission,
      catalogEntityRefreshPermission,
    ]) {
      for (const name of ['bob', 'nobody']) {
        expect((await decide(permission, name)).result).toBe(
          AuthorizeResult.ALLOW,
        );
      }
    }
  });
});
