import { rootHttpRouterServiceFactory } from '@backstage/backend-defaults/rootHttpRouter';
import type { BackendFeature } from '@backstage/backend-plugin-api';
import { startTestBackend } from '@backstage/backend-test-utils';
import type { Server } from 'node:http';

/**
 * Starts a test backend behind the root HTTP router a real backend runs
 * (`@backstage/backend-defaults`, with its defaults: request logging to the
 * root logger, `backend.trustProxy`, helmet, CORS, the error handler), where
 * `startTestBackend`'s own root router has neither logging nor trust proxy.
 * Put `backend: { listen: { port: 0 } }` in the config. Answers the server
 * for supertest.
 *
 * `startTestBackend` reads its own router's server once the backend has
 * started, which fails when the root router is replaced: that one error is
 * expected here. The started backend is stopped by backend-test-utils after
 * the test file, as every test backend is. (In `__testUtils__`: it imports
 * devDependencies at run time, which lint allows only in test code.)
 */
export async function startBehindRealHttpRouter(
  features: Array<BackendFeature>,
): Promise<Server> {
  let server: Server | undefined;
  const rootHttpRouter = rootHttpRouterServiceFactory({
    configure(context) {
      server = context.server;
      context.applyDefaults();
    },
  });
  try {
    await startTestBackend({ features: [...features, rootHttpRouter] });
  } catch (error) {
    if (!server || !/server is not available/.test(String(error))) {
      throw error;
    }
  }
  if (!server) throw new Error('The root HTTP router did not start');
  return server;
}
