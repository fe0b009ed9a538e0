import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  privacyRequestCreatePermission,
  privacyRequestReadPermission,
} from '@internal/plugin-privacy-common';
import { sloReadPermission } from '@internal/plugin-slo-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { randomBytes } from 'node:crypto';
import request from 'supertest';

const testKey = () => randomBytes(32).toString('base64');
import permissionBackend from '@backstage/plugin-permission-backend';
import privacyBackend from '@internal/plugin-privacy-backend';
import opsPolicyModule, { OpsPermissionPolicy } from './opsPermissionPolicy';

jest.setTimeout(60_000);

const groupsOf: Record<string, string[]> = {
  'user:default/alice': ['group:default/privacy'],
  'user:default/bob': ['group:default/engineering'],
  'user:default/carol': ['group:default/compliance'],
  'user:default/nobody': [],
};

/** The user info service as the backend provides it: the user and its groups. */
const userInfo = mockServices.userInfo.mock({
  getUserInfo: async credentials => {
    const ref = (credentials.principal as { userEntityRef: string })
      .userEntityRef;
    return {
      userEntityRef: ref,
      ownershipEntityRefs: [ref, ...(groupsOf[ref] ?? [])],
    };
  },
});

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
  const policy = new OpsPermissionPolicy(userInfo);

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

describe('privacy routes behind the real permission backend and our policy', () => {
  async function start() {
    const { server } = await startTestBackend({
      features: [
        permissionBackend,
        opsPolicyModule,
        privacyBackend,
        userInfo.factory,
        catalogServiceMock.factory(),
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
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
