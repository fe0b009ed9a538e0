import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/*
 * Doubles of the two read routes the ops actions call in a dry run, served
 * as plugins of the test backend under the real plugin ids, so the module's
 * own client finds them through discovery and calls them over HTTP with a
 * token on behalf of the template's initiator, as in the portal.
 */

/**
 * `GET /collectors` of the evidence plugin in the portal: its built-in
 * collectors (BUILT_IN_COLLECTOR_IDS of
 * plugins/evidence-backend/src/collectors/builtIn.ts) and the access review
 * the portal adds (../../modules/evidenceAccessReview).
 */
export const EVIDENCE_COLLECTORS = [
  'change-management',
  'sbom',
  'hardening',
  'backup-restore',
  'monitoring',
  'privacy',
  'incident-drills',
  'access-review',
].map(id => ({
  id,
  title: `Collector ${id}`,
  points: [],
  perEntity: id === 'change-management' || id === 'hardening',
}));

/** The runbooks of the repository (runbooks/*.md), by id, as `GET /runbooks/:id` answers them. */
export function readRunbooks(
  folder: string,
): Map<string, { id: string; kind: string; title: string; checkpoints: [] }> {
  const runbooks = new Map();
  for (const file of readdirSync(folder).filter(f => f.endsWith('.md'))) {
    const text = readFileSync(join(folder, file), 'utf8');
    const frontMatter = text.match(/^---\n([\s\S]*?)\n---\n/)?.[1];
    if (!frontMatter) continue;
    const { id, kind, title, checkpoints = [] } = parse(frontMatter);
    runbooks.set(id, { id, kind, title, checkpoints });
  }
  return runbooks;
}

/** Who called a double (the user the token speaks for), in order. */
export type CallLog = Array<{ route: string; caller: string }>;

function pluginDouble(
  pluginId: string,
  calls: CallLog,
  answer: (path: string) => { status: number; body: unknown },
) {
  return createBackendPlugin({
    pluginId,
    register(env) {
      env.registerInit({
        deps: {
          http: coreServices.httpRouter,
          httpAuth: coreServices.httpAuth,
        },
        async init({ http, httpAuth }) {
          http.use(async (req, res, next) => {
            if (req.method !== 'GET') {
              next();
              return;
            }
            try {
              // Users only: the actions call on behalf of the initiator.
              const credentials = await httpAuth.credentials(req, {
                allow: ['user'],
              });
              calls.push({
                route: `GET ${req.path}`,
                caller: credentials.principal.userEntityRef,
              });
              const { status, body } = answer(req.path);
              res.status(status).json(body);
            } catch (error) {
              next(error);
            }
          });
        },
      });
    },
  });
}

const notFound = (message: string) => ({
  status: 404,
  body: { error: { name: 'NotFoundError', message } },
});

/** The evidence plugin's `GET /collectors`. */
export function evidenceApiDouble(calls: CallLog) {
  return pluginDouble('evidence', calls, path =>
    path === '/collectors'
      ? { status: 200, body: EVIDENCE_COLLECTORS }
      : notFound(`No route ${path}`),
  );
}

/** The drills plugin's `GET /runbooks/:id`, answered from `runbooksFolder`. */
export function drillsApiDouble(calls: CallLog, runbooksFolder: string) {
  const runbooks = readRunbooks(runbooksFolder);
  return pluginDouble('drills', calls, path => {
    const id = decodeURIComponent(
      path.match(/^\/runbooks\/([^/]+)$/)?.[1] ?? '',
    );
    const runbook = runbooks.get(id);
    if (runbook) return { status: 200, body: runbook };
    return notFound(id ? `No runbook ${id}` : `No route ${path}`);
  });
}
