/*
 * Every privacy route × every demo group, through the real permission
 * backend, the portal's OpsPermissionPolicy, the catalog's group
 * memberships and the privacy plugin's own rules (apply-conditions, list
 * filters). Nothing here mocks a decision: a user's groups come from the
 * catalog, exactly as in the portal.
 */
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import permissionBackend from '@backstage/plugin-permission-backend';
import {
  catalogServiceRef,
  parseEntityYaml,
} from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { TEST_AUDIT_KEY } from '@internal/plugin-ops-node/testing';
import privacyBackend from '@internal/plugin-privacy-backend';
import {
  privacyExportDownloadPermission,
  privacyRequestReadPermission,
  privacyRequestSubjectReadPermission,
} from '@internal/plugin-privacy-common';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import request from 'supertest';
import { httpAuthWithActorFactory } from './__testUtils__/httpAuthWithActor';
import opsPolicyModule, {
  CatalogMemberships,
  OPS_GRANTS,
  OpsPermissionPolicy,
  PRIVACY_REQUEST_GRANT,
} from './opsPermissionPolicy';

jest.setTimeout(120_000);

const key = () => randomBytes(32).toString('base64');

/** The demo organisation, as the portal's catalog loads it. */
function demoOrg(): Entity[] {
  const path = resolve(__dirname, '../../../../examples/org.yaml');
  const entities: Entity[] = [];
  for (const result of parseEntityYaml(readFileSync(path), {
    type: 'file',
    target: path,
  })) {
    if (result.type === 'entity') entities.push(result.entity);
  }
  return entities;
}

const ORG = demoOrg();
const DEMO_GROUPS = ORG.filter(e => e.kind === 'Group').map(
  e => `group:default/${e.metadata.name}`,
);

/**
 * Group entities whose `hasMember` relations name `members` (the relation
 * the catalog derives from `spec.memberOf`, which CatalogMemberships reads).
 */
function groupEntities(members: Record<string, string[]>): Entity[] {
  const byGroup = new Map<string, string[]>();
  for (const [user, groups] of Object.entries(members)) {
    for (const group of groups) {
      byGroup.set(group, [...(byGroup.get(group) ?? []), user]);
    }
  }
  return [...byGroup].map(([group, users]) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: group.split('/')[1], namespace: 'default' },
    spec: { type: 'team', children: [] },
    relations: users.map(user => ({ type: 'hasMember', targetRef: user })),
  }));
}

/** The demo users' memberships, from org.yaml. */
function demoMemberships(): Record<string, string[]> {
  return Object.fromEntries(
    ORG.filter(e => e.kind === 'User').map(user => [
      `user:default/${user.metadata.name}`,
      ((user.spec?.memberOf as string[]) ?? []).map(g => `group:default/${g}`),
    ]),
  );
}

/** One user per demo group, member of that group alone; and one of none. */
const PER_GROUP = Object.fromEntries(
  DEMO_GROUPS.map(group => [
    `user:default/member-of-${group.split('/')[1]}`,
    [group],
  ]),
);
const NOBODY = 'user:default/member-of-nothing';
const ALICE = 'user:default/alice'; // privacy officer: files the requests

/** A SQLite data store with the subject's row, as a `sql` connection reads it. */
function createStore(dir: string): string {
  const path = join(dir, 'eu.sqlite');
  const db = new DatabaseSync(path);
  db.exec(`CREATE TABLE customers (customer_id TEXT, email TEXT);
    INSERT INTO customers VALUES ('customer-42', 'customer-42@example.com');`);
  db.close();
  return path;
}

function privacyConfig(
  dir: string,
  store: string,
  regions: Record<string, object> = {},
) {
  return {
    permission: { enabled: true },
    ops: {
      audit: { signingKey: TEST_AUDIT_KEY },
      storage: { directory: join(dir, 'blobs') },
      queue: { driver: 'memory', backoffSeconds: 0.01 },
    },
    privacy: {
      identifiers: { key: { id: 'matrix-ids', key: key() }, pepper: key() },
      intakeRateLimit: { perMinute: 100_000 },
      regions: {
        EU: {
          masterKey: { id: 'eu-1', key: key() },
          storage: { directory: join(dir, 'EU') },
          ...regions.EU,
        },
        US: {
          masterKey: { id: 'us-1', key: key() },
          storage: { directory: join(dir, 'US') },
          ...regions.US,
        },
      },
      connections: {
        'eu-store': {
          type: 'sql',
          region: 'EU',
          client: 'better-sqlite3',
          connection: store,
          tables: [
            {
              table: 'customers',
              subjectColumn: 'customer_id',
              erase: 'delete-row',
            },
          ],
        },
      },
    },
  };
}

const euStore: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'eu-db',
    namespace: 'default',
    annotations: {
      'ops.portal/region': 'EU',
      'privacy.ops.portal/connection': 'eu-store',
    },
  },
  spec: { type: 'database', owner: 'group:default/engineering' },
};

type Server = Parameters<typeof request>[0];

const as = (user: string) => mockCredentials.user.header(user);

const subject = () => `customer-${randomUUID()}`;

async function file(
  server: Server,
  type: 'export' | 'delete',
  options: { by?: string; region?: string; id?: string } = {},
): Promise<string> {
  const response = await request(server)
    .post(`/api/privacy/${type}`)
    .set('Authorization', as(options.by ?? ALICE))
    .send({
      subject: { id: options.id ?? subject() },
      region: options.region ?? 'EU',
      jurisdiction: 'GDPR',
    });
  expect(response.status).toBe(201);
  return response.body.id;
}

describe('privacy permission matrix: every route × every demo group', () => {
  let server: Server;
  /** A completed export by alice, of customer-42, with its bundle. */
  let exported: { requestId: string; exportId: string };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'privacy-matrix-'));
    const store = createStore(dir);
    const members = { ...demoMemberships(), ...PER_GROUP, [NOBODY]: [] };
    ({ server } = await startTestBackend({
      features: [
        permissionBackend,
        opsPolicyModule,
        privacyBackend,
        catalogServiceMock.factory({
          entities: [...groupEntities(members), euStore],
        }),
        httpAuthWithActorFactory,
        mockServices.rootConfig.factory({ data: privacyConfig(dir, store) }),
      ],
    }));
    const requestId = await file(server, 'export', { id: 'customer-42' });
    let detail;
    for (let i = 0; i < 200; i++) {
      detail = await request(server)
        .get(`/api/privacy/requests/${requestId}`)
        .set('Authorization', as(ALICE));
      if (detail.body.state === 'completed') break;
      await new Promise(r => setTimeout(r, 50));
    }
    if (detail?.body.state !== 'completed') {
      throw new Error(`The export did not complete: ${detail?.body.state}`);
    }
    exported = { requestId, exportId: detail.body.export.id };
  });

  it('reads its groups from examples/org.yaml', () => {
    expect(DEMO_GROUPS).toEqual(
      expect.arrayContaining([
        'group:default/privacy',
        'group:default/compliance',
        'group:default/engineering',
      ]),
    );
    expect(DEMO_GROUPS.length).toBeGreaterThanOrEqual(6);
  });

  /** Who gets past the permission check of a route. */
  type Audience = 'operators' | 'readers';
  const privacy = (groups: string[]) =>
    groups.includes('group:default/privacy');
  const compliance = (groups: string[]) =>
    groups.includes('group:default/compliance');
  const admitted: Record<Audience, (groups: string[]) => boolean> = {
    /** privacy.request.create, approve, download, admin: the privacy group. */
    operators: privacy,
    /** request and consent reads, figures: privacy and compliance. */
    readers: groups => privacy(groups) || compliance(groups),
  };

  interface RouteCase {
    route: string;
    audience: Audience;
    /** The status of an admitted call. */
    ok: number;
    call: (user: string) => Promise<request.Response>;
    /** More to check of an admitted call's answer. */
    then?: (response: request.Response, groups: string[]) => void;
  }

  const get = (path: string) => (user: string) =>
    request(server).get(`/api/privacy${path}`).set('Authorization', as(user));
  const post =
    (path: string, body: object = {}) =>
    (user: string) =>
      request(server)
        .post(`/api/privacy${path}`)
        .set('Authorization', as(user))
        .send(body);

  /** Subject ids only for privacy.request.subject.read: privacy, not compliance. */
  const subjectShownTo =
    (pick: (body: any) => any) =>
    (response: request.Response, groups: string[]) => {
      const item = pick(response.body);
      if (privacy(groups)) {
        expect(item).toMatchObject({
          subjectId: 'customer-42',
          subjectHidden: false,
        });
      } else {
        expect(item).toMatchObject({ subjectId: null, subjectHidden: true });
      }
    };

  const routes: RouteCase[] = [
    {
      route: 'POST /export',
      audience: 'operators',
      ok: 201,
      call: user =>
        post('/export', {
          subject: { id: subject() },
          region: 'EU',
          jurisdiction: 'GDPR',
        })(user),
    },
    {
      route: 'POST /delete',
      audience: 'operators',
      ok: 201,
      call: user =>
        post('/delete', {
          subject: { id: subject() },
          region: 'US',
          jurisdiction: 'CCPA',
        })(user),
    },
    {
      route: 'GET /requests',
      audience: 'readers',
      ok: 200,
      call: user => get(`/requests?limit=100`)(user),
      then: subjectShownTo(body =>
        body.items.find((r: any) => r.id === exported.requestId),
      ),
    },
    {
      route: 'GET /requests/:id',
      audience: 'readers',
      ok: 200,
      call: user => get(`/requests/${exported.requestId}`)(user),
      then: subjectShownTo(body => body),
    },
    {
      route: 'GET /status/:id',
      audience: 'readers',
      ok: 200,
      call: user => get(`/status/${exported.requestId}`)(user),
      then: subjectShownTo(body => body),
    },
    {
      route: 'GET /requests/:id/audit',
      audience: 'readers',
      ok: 200,
      call: user => get(`/requests/${exported.requestId}/audit`)(user),
    },
    {
      route: 'POST /requests/:id/approve',
      audience: 'operators',
      ok: 200,
      call: async user =>
        post(`/requests/${await file(server, 'delete')}/approve`)(user),
    },
    {
      route: 'POST /requests/:id/cancel',
      audience: 'operators',
      ok: 200,
      call: async user =>
        post(`/requests/${await file(server, 'delete')}/cancel`)(user),
    },
    {
      // Admitted, then refused by the state machine: a new erasure has not failed.
      route: 'POST /requests/:id/retry',
      audience: 'operators',
      ok: 409,
      call: async user =>
        post(`/requests/${await file(server, 'delete')}/retry`)(user),
    },
    {
      route: 'POST /requests/:id/extend',
      audience: 'operators',
      ok: 200,
      call: async user =>
        post(`/requests/${await file(server, 'delete')}/extend`, {
          reason: 'The subject holds several accounts',
        })(user),
    },
    {
      route: 'GET /audit/verify',
      audience: 'operators',
      ok: 200,
      call: get('/audit/verify'),
    },
    {
      route: 'GET /exports/:id/download',
      audience: 'operators',
      ok: 200,
      call: user => get(`/exports/${exported.exportId}/download`)(user),
      then: response =>
        expect(response.headers['content-type']).toBe('application/zip'),
    },
    {
      route: 'POST /consent',
      audience: 'operators',
      ok: 201,
      call: post('/consent', {
        subject: { id: 'customer-42' },
        purpose: 'marketing',
        granted: true,
        source: 'web',
      }),
    },
    {
      route: 'POST /consent/lookup',
      audience: 'readers',
      ok: 200,
      call: post('/consent/lookup', { subject: { id: 'customer-42' } }),
    },
    {
      route: 'POST /holds',
      audience: 'operators',
      ok: 201,
      call: post('/holds', {
        subject: { id: subject() },
        reason: 'Litigation hold for the matrix test',
      }),
    },
    {
      route: 'POST /holds/:id/release',
      audience: 'operators',
      ok: 200,
      call: async user => {
        const hold = await post('/holds', {
          subject: { id: subject() },
          reason: 'Litigation hold for the matrix test',
        })(ALICE);
        expect(hold.status).toBe(201);
        return post(`/holds/${hold.body.id}/release`)(user);
      },
    },
    {
      route: 'GET /metrics/sla',
      audience: 'readers',
      ok: 200,
      call: get('/metrics/sla'),
    },
    {
      route: 'GET /metrics/sli',
      audience: 'readers',
      ok: 200,
      call: get('/metrics/sli?type=export&windowMinutes=60'),
    },
    {
      route: 'GET /metrics/queue',
      audience: 'readers',
      ok: 200,
      call: get('/metrics/queue'),
    },
    {
      route: 'GET /sources/drift',
      audience: 'readers',
      ok: 200,
      call: get('/sources/drift'),
    },
  ];

  const users = [
    ...Object.keys(PER_GROUP),
    'user:default/guest', // every group, as in org.yaml
    NOBODY,
  ];
  const groupsOf = (user: string) =>
    PER_GROUP[user] ?? demoMemberships()[user] ?? [];

  describe.each(routes)('$route', route => {
    it.each(users)('as %s', async user => {
      const groups = groupsOf(user);
      const admit = admitted[route.audience](groups);
      const response = await route.call(user);
      expect({ user, status: response.status }).toEqual({
        user,
        status: admit ? route.ok : 403,
      });
      if (admit) route.then?.(response, groups);
    });
  });

  it('answers the frontend (POST /api/permission/authorize) with the same decisions, the conditions applied by the privacy plugin', async () => {
    const decide = async (user: string) => {
      const response = await request(server)
        .post('/api/permission/authorize')
        .set('Authorization', as(user))
        .send({
          items: [
            privacyRequestReadPermission,
            privacyRequestSubjectReadPermission,
            privacyExportDownloadPermission,
          ].map((permission, i) => ({
            id: String(i),
            permission,
            resourceRef: exported.requestId,
          })),
        });
      expect(response.status).toBe(200);
      return response.body.items.map((item: { result: string }) => item.result);
    };
    const { ALLOW, DENY } = AuthorizeResult;
    expect(await decide('user:default/member-of-privacy')).toEqual([
      ALLOW,
      ALLOW,
      ALLOW,
    ]);
    expect(await decide('user:default/member-of-compliance')).toEqual([
      ALLOW,
      DENY,
      DENY,
    ]);
    expect(await decide('user:default/member-of-engineering')).toEqual([
      DENY,
      DENY,
      DENY,
    ]);
  });
});

describe('privacy requests scoped by region owner and requester', () => {
  const URSULA = 'user:default/ursula'; // US privacy operator
  const PAUL = 'user:default/paul'; // privacy office, like alice
  let server: Server;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'privacy-regions-'));
    const store = createStore(dir);
    // The real policy, with a regional operator group owning US requests.
    const regionalPolicy = createBackendModule({
      pluginId: 'permission',
      moduleId: 'regional-policy',
      register(reg) {
        reg.registerInit({
          deps: {
            policy: policyExtensionPoint,
            catalog: catalogServiceRef,
            auth: coreServices.auth,
          },
          async init({ policy, catalog, auth }) {
            policy.setPolicy(
              new OpsPermissionPolicy(
                new CatalogMemberships(catalog, auth),
                OPS_GRANTS,
                {
                  ...PRIVACY_REQUEST_GRANT,
                  operators: [
                    ...PRIVACY_REQUEST_GRANT.operators,
                    'group:default/privacy-us',
                  ],
                },
              ),
            );
          },
        });
      },
    });
    const config = privacyConfig(dir, store, {
      US: { owner: 'group:default/privacy-us' },
    });
    ({ server } = await startTestBackend({
      features: [
        permissionBackend,
        regionalPolicy,
        privacyBackend,
        catalogServiceMock.factory({
          entities: groupEntities({
            [ALICE]: ['group:default/privacy'],
            [PAUL]: ['group:default/privacy'],
            [URSULA]: ['group:default/privacy-us'],
          }),
        }),
        httpAuthWithActorFactory,
        mockServices.rootConfig.factory({
          data: {
            ...config,
            ops: { ...config.ops, queue: { driver: 'memory', workers: false } },
          },
        }),
      ],
    }));
    // Only the privacy office files; ursula works the US queue.
    ids.aliceEu = await file(server, 'delete', { region: 'EU' });
    ids.aliceUs = await file(server, 'delete', { region: 'US' });
    ids.paulEu = await file(server, 'delete', { by: PAUL, region: 'EU' });
    ids.paulUs = await file(server, 'delete', { by: PAUL, region: 'US' });
  });

  const list = async (user: string, query = '') => {
    const response = await request(server)
      .get(`/api/privacy/requests?limit=100${query}`)
      .set('Authorization', as(user));
    expect(response.status).toBe(200);
    return {
      ids: response.body.items.map((r: { id: string }) => r.id).sort(),
      totalCount: response.body.totalCount,
    };
  };

  it("lists only the requests of the regions the caller's groups own, and those it filed; the count too", async () => {
    expect(await list(URSULA)).toEqual({
      ids: [ids.aliceUs, ids.paulUs].sort(),
      totalCount: 2,
    });
    expect(await list(URSULA, '&region=EU')).toEqual({
      ids: [],
      totalCount: 0,
    });
    // alice owns EU through the privacy group, and filed one US request.
    expect(await list(ALICE)).toEqual({
      ids: [ids.aliceEu, ids.aliceUs, ids.paulEu].sort(),
      totalCount: 3,
    });
  });

  it('checks one request, and its subject, by the same rules', async () => {
    const read = (user: string, id: string) =>
      request(server)
        .get(`/api/privacy/requests/${id}`)
        .set('Authorization', as(user));
    expect((await read(URSULA, ids.aliceEu)).status).toBe(403);
    const us = await read(URSULA, ids.paulUs);
    expect(us.status).toBe(200);
    expect(us.body.subjectHidden).toBe(false);
    expect((await read(ALICE, ids.paulUs)).status).toBe(403);
    expect((await read(ALICE, ids.aliceUs)).status).toBe(200);
    expect(
      (
        await request(server)
          .get(`/api/privacy/requests/${ids.paulUs}/audit`)
          .set('Authorization', as(ALICE))
      ).status,
    ).toBe(403);
  });

  it("approves only in the owned regions, and never one of the caller's own", async () => {
    const approve = (user: string, id: string) =>
      request(server)
        .post(`/api/privacy/requests/${id}/approve`)
        .set('Authorization', as(user));
    expect((await approve(URSULA, ids.aliceEu)).status).toBe(403);
    expect((await approve(ALICE, ids.paulUs)).status).toBe(403);
    // Admitted by the requester rule, refused by the four-eyes rule.
    expect((await approve(ALICE, ids.aliceUs)).status).toBe(403);
    expect((await approve(URSULA, ids.paulUs)).status).toBe(200);
  });

  it('applies the same conditions for the permission backend (apply-conditions)', async () => {
    const response = await request(server)
      .post('/api/permission/authorize')
      .set('Authorization', as(URSULA))
      .send({
        items: [ids.aliceEu, ids.aliceUs, randomUUID()].map((id, i) => ({
          id: String(i),
          permission: privacyRequestReadPermission,
          resourceRef: id,
        })),
      });
    expect(response.status).toBe(200);
    expect(
      response.body.items.map((item: { result: string }) => item.result),
    ).toEqual([
      AuthorizeResult.DENY,
      AuthorizeResult.ALLOW,
      AuthorizeResult.DENY,
    ]);
  });
});
