import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import authBackend from '@backstage/plugin-auth-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import demoUserSignIn, { DEMO_USER_HEADER } from './demoUserSignIn';

jest.setTimeout(60_000);

const dave = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name: 'dave', namespace: 'default' },
  spec: { memberOf: [] },
};

async function start(providers: Record<string, { header: string }>) {
  const { server } = await startTestBackend({
    features: [
      authBackend,
      demoUserSignIn,
      catalogServiceMock.factory({ entities: [dave] }),
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          auth: { session: { secret: 'test-session-secret' }, providers },
        },
      }),
    ],
  });
  return server;
}

const refresh = (server: Parameters<typeof request>[0]) =>
  request(server)
    .get('/api/auth/demo/refresh?env=development')
    .set('X-Requested-With', 'XMLHttpRequest');

describe('the demo sign-in provider', () => {
  it('signs in as the catalog user the header names, where auth.providers.demo is configured', async () => {
    const server = await start({ demo: { header: DEMO_USER_HEADER } });
    const res = await refresh(server).set(DEMO_USER_HEADER, 'dave');
    expect(res.status).toBe(200);
    expect(res.body.backstageIdentity.identity.userEntityRef).toBe(
      'user:default/dave',
    );

    // Nobody in the catalog by that name, or no name at all: no sign-in.
    expect(
      (await refresh(server).set(DEMO_USER_HEADER, 'mallory')).status,
    ).not.toBe(200);
    expect((await refresh(server)).status).not.toBe(200);
    expect(
      (await refresh(server).set(DEMO_USER_HEADER, '../admin')).status,
    ).not.toBe(200);
  });

  it('is not there at all without its config (the demo and production configs)', async () => {
    const server = await start({});
    const res = await refresh(server).set(DEMO_USER_HEADER, 'dave');
    expect(res.status).toBe(404);
  });
});
