import { TestDatabases, mockCredentials } from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  PermissionCondition,
  PermissionCriteria,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  privacyRequestReadPermission,
  Region,
} from '@internal/plugin-privacy-common';
import { ConfigReader } from '@backstage/config';
import type { Request } from 'express';
import { randomBytes } from 'node:crypto';
import { PrivacyConfig, readPrivacyConfig } from './config';
import {
  RequestPermissions,
  RequestResources,
  createPrivacyRequestConditionalDecision,
  privacyRequestConditions as is,
  privacyRequestRules,
} from './requestPermissions';
import { createLifecycle } from './testing/lifecycle';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';
const JURISDICTION = {
  EU: 'GDPR',
  US: 'CCPA',
  UK: 'UK-GDPR',
  APAC: 'GDPR',
} as const;

const listAll = {
  sort: 'createdAt' as const,
  order: 'asc' as const,
  limit: 100,
  offset: 0,
};

const ruleset = {
  getRuleByName: (name: string) => {
    const rule = Object.values(privacyRequestRules).find(r => r.name === name);
    if (!rule) throw new Error(`no rule ${name}`);
    return rule as any;
  },
};

/** The checks of a caller whose policy answers `read` and `subject`. */
function permissionsFor(
  resources: RequestResources,
  read: PolicyDecision,
  subject: PolicyDecision = { result: AuthorizeResult.ALLOW },
) {
  return new RequestPermissions({
    resources,
    ruleset,
    httpAuth: { credentials: async () => mockCredentials.user(ALICE) } as any,
    permissions: {
      authorizeConditional: async () => [read, subject],
    } as any,
  });
}

const conditional = (criteria: PermissionCriteria<PermissionCondition>) =>
  createPrivacyRequestConditionalDecision(
    privacyRequestReadPermission,
    criteria as PermissionCriteria<PermissionCondition<'privacy-request'>>,
  );

describe.each(databases.eachSupportedId())(
  'privacy-request rules on %p',
  databaseId => {
    it('filter a list in the database exactly as they decide for one request', async () => {
      const { db, store, intake } = await createLifecycle(
        databases,
        databaseId,
      );
      // Every requester in every region: two of each.
      let n = 0;
      for (const region of ['EU', 'US', 'UK'] as Region[]) {
        for (const requester of [ALICE, BOB]) {
          for (let i = 0; i < 2; i++) {
            await intake.submit(
              'export',
              {
                subject: { id: `subject-${n++}` },
                region,
                jurisdiction: JURISDICTION[region],
                priority: 'NORMAL',
              },
              requester,
            );
          }
        }
      }
      const resources = new RequestResources(db, {
        regions: {
          EU: { owner: 'group:default/privacy' },
          US: { owner: 'group:default/privacy-us' },
        },
      } as unknown as PrivacyConfig);
      const all = (await store.list(listAll, new Date())).items;
      expect(all).toHaveLength(12);

      const cases: Array<
        [string, PermissionCriteria<PermissionCondition>, number]
      > = [
        ['in EU or UK', is.isInRegion({ regions: ['EU', 'UK'] }), 8],
        [
          'filed by alice',
          is.isRequester({ userEntityRef: 'User:default/Alice' }),
          6,
        ],
        [
          'owned by privacy-us',
          is.isRegionOwnedBy({ groups: ['group:default/Privacy-US'] }),
          4,
        ],
        // UK has no owner in config: the default, group:default/privacy.
        [
          'owned by privacy',
          is.isRegionOwnedBy({ groups: ['group:default/privacy'] }),
          8,
        ],
        [
          'owned by a group owning nothing',
          is.isRegionOwnedBy({ groups: ['group:default/nobody'] }),
          0,
        ],
        [
          'owned by privacy-us, or filed by alice',
          {
            anyOf: [
              is.isRegionOwnedBy({ groups: ['group:default/privacy-us'] }),
              is.isRequester({ userEntityRef: ALICE }),
            ],
          },
          8,
        ],
        [
          'in EU or US and not filed by bob',
          {
            allOf: [
              is.isInRegion({ regions: ['EU', 'US'] }),
              { not: is.isRequester({ userEntityRef: BOB }) },
            ],
          },
          4,
        ],
        ['not in EU', { not: is.isInRegion({ regions: ['EU'] }) }, 8],
      ];
      for (const [name, criteria, count] of cases) {
        const access = permissionsFor(resources, conditional(criteria));
        const { scope } = await access.readScope({} as Request);
        const listed = await store.list(listAll, new Date(), scope);
        const expected = all.filter(r => scope.canRead(r)).map(r => r.id);
        expect({ name, ids: listed.items.map(r => r.id).sort() }).toEqual({
          name,
          ids: expected.sort(),
        });
        expect({ name, totalCount: listed.totalCount }).toEqual({
          name,
          totalCount: count,
        });
      }
    });

    it('hides the subject id, undecrypted, where privacy.request.subject.read does not hold', async () => {
      const { db, store, intake } = await createLifecycle(
        databases,
        databaseId,
      );
      for (const region of ['EU', 'US'] as Region[]) {
        await intake.submit(
          'export',
          {
            subject: { id: `subject-${region}` },
            region,
            jurisdiction: JURISDICTION[region],
            priority: 'NORMAL',
          },
          BOB,
        );
      }
      const resources = new RequestResources(db, {
        regions: {},
      } as unknown as PrivacyConfig);
      const access = permissionsFor(
        resources,
        { result: AuthorizeResult.ALLOW },
        conditional(is.isInRegion({ regions: ['US'] })),
      );
      const { scope } = await access.readScope({} as Request);
      const { items } = await store.list(listAll, new Date(), scope);
      expect(
        items.map(({ region, subjectId, subjectHidden }) => ({
          region,
          subjectId,
          subjectHidden,
        })),
      ).toEqual(
        expect.arrayContaining([
          { region: 'US', subjectId: 'subject-US', subjectHidden: false },
          { region: 'EU', subjectId: null, subjectHidden: true },
        ]),
      );
      // Unknown ids and ids that are no request's: no resource.
      expect(
        await resources.getResources([items[0].id, 'not-a-uuid', items[0].id]),
      ).toEqual([
        expect.objectContaining({
          id: items[0].id,
          owner: 'group:default/privacy',
        }),
        undefined,
        expect.objectContaining({ id: items[0].id }),
      ]);
    });
  },
);

describe('privacy-request rule params and region owners', () => {
  it("publishes each rule's params as JSON Schema and refuses bad params", () => {
    const { isInRegion, isRequester, isRegionOwnedBy } = privacyRequestRules;
    const standard = (rule: { paramsSchema?: unknown }) =>
      (rule.paramsSchema as any)['~standard'];
    expect(
      standard(isInRegion).jsonSchema.input({ target: 'draft-07' }),
    ).toEqual({
      type: 'object',
      properties: {
        regions: {
          type: 'array',
          items: { type: 'string', enum: ['EU', 'US', 'UK', 'APAC'] },
          description: 'Regions, e.g. EU',
        },
      },
      required: ['regions'],
      additionalProperties: false,
    });
    expect(standard(isInRegion).validate({ regions: ['EU'] })).toEqual({
      value: { regions: ['EU'] },
    });
    expect(standard(isInRegion).validate({ regions: ['MARS'] }).issues).toEqual(
      [
        expect.objectContaining({
          message: expect.stringMatching(/^regions\.0: /),
        }),
      ],
    );
    expect(standard(isRequester).validate({}).issues).toHaveLength(1);
    expect(
      standard(isRegionOwnedBy).validate({ groups: [], extra: 1 }).issues,
    ).toHaveLength(1);
  });

  const key = () => randomBytes(32).toString('base64');
  const owners = (owner?: string) =>
    readPrivacyConfig(
      new ConfigReader({
        privacy: {
          identifiers: { key: { id: 'ids-1', key: key() }, pepper: key() },
          regions: {
            EU: {
              ...(owner === undefined ? {} : { owner }),
              masterKey: { id: 'eu-1', key: key() },
              storage: { directory: '/tmp/eu' },
            },
          },
        },
      }),
    ).regions.EU?.owner;

  it('reads privacy.regions.<R>.owner as a Group ref, group:default/privacy by default', () => {
    expect(owners()).toBe('group:default/privacy');
    expect(owners('privacy-eu')).toBe('group:default/privacy-eu');
    expect(owners('Group:Default/Privacy-EU')).toBe('group:default/privacy-eu');
    expect(() => owners('user:default/alice')).toThrow(
      /privacy\.regions\.EU\.owner: Expected a Group entity ref/,
    );
  });
});
