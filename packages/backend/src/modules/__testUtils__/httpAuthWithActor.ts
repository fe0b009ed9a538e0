import {
  coreServices,
  createServiceFactory,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';

const OBO_TOKEN = /^Bearer mock-service-token:(\{.*\})$/;

/**
 * The mock httpAuth, but a user token a plugin forwards on a user's behalf
 * (on-behalf-of) keeps the forwarding plugin as its `actor`, as Backstage's
 * real auth service does. The permission backend answers conditional
 * decisions (no resourceRef) only to such forwarded users, never to a user
 * calling it directly; the mock drops the actor, which would turn every
 * conditional query of a plugin into a 400.
 */
export const httpAuthWithActorFactory = createServiceFactory({
  service: coreServices.httpAuth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }): HttpAuthService {
    const inner = mockServices.httpAuth({ pluginId: plugin.getId() });
    return {
      async credentials(req, options) {
        const credentials = await inner.credentials(req, options);
        const forwarded = req.headers.authorization?.match(OBO_TOKEN)?.[1];
        const obo: string | undefined = forwarded && JSON.parse(forwarded).obo;
        if (!obo) return credentials;
        return mockCredentials.user(obo, {
          actor: { subject: 'plugin:forwarding' },
        }) as typeof credentials;
      },
      issueUserCookie: (res, options) => inner.issueUserCookie(res, options),
    };
  },
});
