import { mockCredentials } from '@backstage/backend-test-utils';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import {
  fakeAuth,
  fakeDiscovery,
  FakeHttpError,
  startFakePluginServer,
} from './__testUtils__/fakePluginServer';
import { createPluginCaller } from './pluginFetch';

describe('createPluginCaller', () => {
  let server: Awaited<ReturnType<typeof startFakePluginServer>>;
  beforeEach(async () => {
    server = await startFakePluginServer({
      isAllowed: (permission, caller) =>
        permission !== 'thing.write' || caller === 'user:default/amy',
      route: (req, allow) => {
        if (req.path === '/api/things/echo') {
          allow('thing.write');
          return { status: 201, body: { got: req.body, caller: req.caller } };
        }
        if (req.path === '/api/things/bad') {
          throw new FakeHttpError(
            400,
            'InputError',
            'Invalid input: x: Required',
          );
        }
        if (req.path === '/api/things/taken') {
          throw new FakeHttpError(409, 'ConflictError', 'taken already');
        }
        if (req.path === '/api/things/broken') {
          throw new Error('database down');
        }
        return undefined;
      },
    });
  });
  afterEach(() => server.close());

  const caller = (user = 'user:default/amy', url = server.url) => {
    const auth = fakeAuth();
    return {
      auth,
      call: createPluginCaller('things', {
        auth,
        discovery: fakeDiscovery(url),
        credentials: mockCredentials.user(user),
      }),
    };
  };

  it('sends JSON with a token on behalf of the initiator', async () => {
    const { auth, call } = caller();
    const answer = await call<any>({
      method: 'POST',
      path: '/echo',
      body: { a: 1 },
    });
    expect(answer).toEqual({ got: { a: 1 }, caller: 'user:default/amy' });
    expect(auth.calls).toEqual([
      { targetPluginId: 'things', subject: 'user:default/amy' },
    ]);
    expect(server.requests[0]).toMatchObject({
      method: 'POST',
      path: '/api/things/echo',
      authorization: 'Bearer on-behalf:user:default/amy',
    });
  });

  it('turns a 403 into NotAllowedError with the plugin message, once prefixed', async () => {
    const { call } = caller('user:default/bob');
    await expect(
      call({ method: 'POST', path: '/echo', body: {} }),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: 'Not allowed: thing.write',
    });
  });

  it('surfaces the message of a 400, 404, 409 and 500', async () => {
    const { call } = caller();
    await expect(call({ method: 'GET', path: '/bad' })).rejects.toMatchObject({
      name: 'InputError',
      message: 'Invalid input: x: Required',
    });
    await expect(
      call({ method: 'GET', path: '/nothing' }),
    ).rejects.toMatchObject({
      name: 'NotFoundError',
      message: 'No route GET /api/things/nothing',
    });
    await expect(call({ method: 'GET', path: '/taken' })).rejects.toMatchObject(
      {
        name: 'ConflictError',
        message: 'taken already',
      },
    );
    await expect(call({ method: 'GET', path: '/broken' })).rejects.toThrow(
      'The things plugin failed GET /broken with 500: Error: database down',
    );
  });

  it('says so when the plugin does not answer', async () => {
    const closed = createServer();
    await new Promise<void>(r => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise(r => closed.close(r));
    const { call } = caller('user:default/amy', `http://127.0.0.1:${port}`);
    await expect(call({ method: 'GET', path: '/echo' })).rejects.toThrow(
      new RegExp(
        `^The things plugin \\(http://127.0.0.1:${port}/api/things\\) did not answer GET /echo: .*ECONNREFUSED`,
      ),
    );
  });
});
