import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  authProvidersExtensionPoint,
  createProxyAuthProviderFactory,
  createProxyAuthenticator,
} from '@backstage/plugin-auth-node';

/** The header that names the demo user to sign in as, e.g. `dave`. */
export const DEMO_USER_HEADER = 'x-demo-user';

const USER_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * A DEMO-ONLY sign-in provider, `demo`: signs in as the catalog User the
 * `x-demo-user` header names, without a password. It exists so that a test
 * can open the portal as two different people (a drill's lead and another
 * participant), and it is active only where `auth.providers.demo` is
 * configured: the browser smoke test's config, never app-config.yaml or
 * production. Only users in the catalog can sign in; their groups come
 * from the catalog as for any sign-in.
 */
export default createBackendModule({
  pluginId: 'auth',
  moduleId: 'demo-user-provider',
  register(reg) {
    reg.registerInit({
      deps: { providers: authProvidersExtensionPoint },
      async init({ providers }) {
        providers.registerProvider({
          providerId: 'demo',
          factory: createProxyAuthProviderFactory({
            authenticator: createProxyAuthenticator({
              defaultProfileTransform: async (result: { name: string }) => ({
                profile: { displayName: result.name },
              }),
              initialize: () => undefined,
              async authenticate({ req }) {
                const name = req.header(DEMO_USER_HEADER) ?? '';
                if (!USER_NAME.test(name)) {
                  throw new Error(
                    `Demo sign-in needs a user name in the ${DEMO_USER_HEADER} header`,
                  );
                }
                return { result: { name } };
              },
            }),
            signInResolver: async ({ result }, ctx) =>
              ctx.signInWithCatalogUser({ entityRef: { name: result.name } }),
          }),
        });
      },
    });
  },
});
