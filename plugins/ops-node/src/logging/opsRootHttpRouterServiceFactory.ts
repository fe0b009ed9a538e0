import { rootHttpRouterServiceFactory } from '@backstage/backend-defaults/rootHttpRouter';
import type { RootHttpRouterConfigureContext } from '@backstage/backend-defaults/rootHttpRouter';
import { applyServerOptions } from './applyServerOptions';
import { opsAccessLogging } from './opsAccessLogging';

/** How long requests may run on after shutdown begins, by default. */
export const DEFAULT_SHUTDOWN_DRAIN_SECONDS = 10;

/**
 * Backstage's `applyDefaults()` (backend-defaults 0.19), step for step and in
 * its order, with `opsAccessLogging` in place of `middleware.logging()`.
 *
 * One addition: at shutdown, connections still open after
 * `ops.http.shutdownDrainSeconds` (default 10) are closed. In production
 * Backstage closes only idle ones and waits for the rest, and the events
 * bus's long polls kept a backend 13–48 s past SIGTERM, beyond a pod's
 * 30 s grace, so Kubernetes killed it before its shutdown hooks ran.
 */
export function configureOpsRootHttpRouter(
  context: RootHttpRouterConfigureContext,
): void {
  const { app, server, config, logger, middleware, healthRouter, routes } =
    context;
  const drainSeconds =
    config.getOptionalNumber('ops.http.shutdownDrainSeconds') ??
    DEFAULT_SHUTDOWN_DRAIN_SECONDS;
  context.lifecycle.addShutdownHook(() => {
    setTimeout(() => server.closeAllConnections(), drainSeconds * 1000).unref();
  });
  if (process.env.NODE_ENV === 'development') {
    app.set('json spaces', 2);
  }
  const trustProxy = config.getOptional('backend.trustProxy');
  if (trustProxy !== undefined) {
    app.set('trust proxy', trustProxy);
  }
  applyServerOptions(server, config, logger);
  app.use(middleware.helmet());
  app.use(middleware.cors());
  app.use(middleware.compression());
  app.use(opsAccessLogging(logger));
  app.use(middleware.rateLimit());
  app.use(healthRouter);
  app.use(routes);
  app.use(middleware.notFound());
  app.use(middleware.error());
}

/**
 * Backstage's root HTTP router whose access lines also carry the client
 * address (`remoteAddr`) and the duration (`durationMs`).
 * `backend.add(opsRootHttpRouterServiceFactory)`.
 *
 * @public
 */
export const opsRootHttpRouterServiceFactory = rootHttpRouterServiceFactory({
  configure: configureOpsRootHttpRouter,
});
