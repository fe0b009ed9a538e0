import {
  AuthService,
  DiscoveryService,
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import type { CollectorContext } from '@internal/plugin-evidence-node';

/**
 * A stand-in for the evidence plugin in a test backend: it only hands out
 * the auth and discovery services the backend gives plugin `evidence`, so a
 * collector calls its siblings exactly as it would in the portal.
 */
export function evidenceServicesProbe() {
  const services: { auth?: AuthService; discovery?: DiscoveryService } = {};
  const feature = createBackendPlugin({
    pluginId: 'evidence',
    register(env) {
      env.registerInit({
        deps: { auth: coreServices.auth, discovery: coreServices.discovery },
        async init(deps) {
          Object.assign(services, deps);
        },
      });
    },
  });
  return {
    feature,
    deps: () => {
      if (!services.auth || !services.discovery) {
        throw new Error('the test backend has not started the probe');
      }
      return { auth: services.auth, discovery: services.discovery };
    },
  };
}

/** A collector context at `now`, its log kept in `lines`. */
export function testContext(
  now = new Date(),
): CollectorContext & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    log: line => lines.push(line),
    signal: new AbortController().signal,
    now,
    previous: async () => undefined,
  };
}

/** Polls until `check` passes or the time is up. */
export async function eventually<T>(
  check: () => Promise<T>,
  ms = 30_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise(resolve => setTimeout(resolve, 200));
    }
  }
}
