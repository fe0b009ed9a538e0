/*
 * The Ops & Compliance portal backend: the Backstage plugins the portal needs
 * (catalog, scaffolder, auth with guest sign-in, permissions with our own
 * policy) and the four ops plugins.
 */
import { createBackend } from '@backstage/backend-defaults';
import {
  ecsRootLoggerServiceFactory,
  opsRootHttpRouterServiceFactory,
} from '@internal/plugin-ops-node';

const backend = createBackend();

// Backstage's logger; Elastic Common Schema with ops.logging.format: ecs.
backend.add(ecsRootLoggerServiceFactory);
// Backstage's HTTP server, whose access lines also carry the client's
// address and the request's duration.
backend.add(opsRootHttpRouterServiceFactory);

backend.add(import('@backstage/plugin-app-backend'));

backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
// DEMO ONLY, active where auth.providers.demo is configured (the browser
// smoke test): signs in as a named catalog user.
backend.add(import('./modules/demoUserSignIn'));

backend.add(import('@backstage/plugin-events-backend'));

// The portal's inbox: SLO alerts reach the owning group here.
backend.add(import('@backstage/plugin-notifications-backend'));
// Live updates pushed to open pages (a drill run's checks, say).
backend.add(import('@backstage/plugin-signals-backend'));

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

backend.add(import('@backstage/plugin-scaffolder-backend'));
// ops:rollback:*, ops:evidence:*, ops:drill:*, ops:notify (templates/).
backend.add(import('@internal/plugin-scaffolder-backend-module-ops'));

backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('./modules/opsPermissionPolicy'));

backend.add(import('@internal/plugin-privacy-backend'));
backend.add(import('@internal/plugin-slo-backend'));
backend.add(import('@internal/plugin-evidence-backend'));
backend.add(import('./modules/evidenceAccessReview'));
backend.add(import('@internal/plugin-drills-backend'));
// Correlation rules on the backend's own log stream; alerts through the SLO notifiers.
backend.add(import('@internal/plugin-security-backend'));

// A plugin that cannot start (bad config, say) stops the process: a portal
// missing a plugin must not run as if it were whole.
backend.start().catch(error => {
  process.stderr.write(`Backend startup failed: ${error}\n`);
  process.exit(1);
});
