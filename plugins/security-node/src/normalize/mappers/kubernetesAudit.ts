import {
  defined,
  ecsDocument,
  isoTime,
  obj,
  outcomeOfStatus,
  num,
  pathOnly,
  str,
} from '../fields';
import type { Mapper } from '../types';

/** Kubernetes verbs → ECS `event.type` (all under category `api`). */
const VERB_TYPES: Record<string, string> = {
  get: 'access',
  list: 'access',
  watch: 'access',
  create: 'creation',
  update: 'change',
  patch: 'change',
  delete: 'deletion',
  deletecollection: 'deletion',
};

/** Verbs that grant power, and mutations of RBAC objects: `iam`/`admin`. */
const ADMIN_VERBS = new Set(['impersonate', 'escalate', 'bind', 'approve']);
const RBAC_GROUP = 'rbac.authorization.k8s.io';

function categorize(verb: string, apiGroup: string | undefined) {
  if (ADMIN_VERBS.has(verb)) return { category: ['iam'], type: ['admin'] };
  const type = VERB_TYPES[verb] ?? 'info';
  if (apiGroup === RBAC_GROUP && type !== 'access' && type !== 'info') {
    return { category: ['iam'], type: ['admin', type] };
  }
  return { category: ['api'], type: [type] };
}

/**
 * Kubernetes audit log lines (`audit.k8s.io/v1` Event): the verb as
 * `event.action`, `user.*`, `sourceIPs`, `objectRef` as `orchestrator.*`,
 * `responseStatus.code` as status and outcome, the request URI without its
 * query string.
 */
export const kubernetesAudit: Mapper = {
  name: 'kubernetes.audit',
  matches: line =>
    line.kind === 'Event' && line.apiVersion === 'audit.k8s.io/v1',
  map(line, options) {
    const user = obj(line.user) ?? {};
    const objectRef = obj(line.objectRef) ?? {};
    const response = obj(line.responseStatus) ?? {};
    const verb = str(line.verb) ?? 'unknown';
    const ips = Array.isArray(line.sourceIPs)
      ? line.sourceIPs.filter((ip): ip is string => typeof ip === 'string')
      : [];
    const code = num(response.code);
    const received = isoTime(line.requestReceivedTimestamp);
    const finished = isoTime(line.stageTimestamp);
    const uri = str(line.requestURI);
    const username = str(user.username);
    const userAgent = str(line.userAgent);
    const path = uri !== undefined ? pathOnly(uri) : undefined;
    return ecsDocument(received ?? finished, {
      event: defined({
        kind: 'event',
        ...categorize(verb, str(objectRef.apiGroup)),
        action: verb,
        id: str(line.auditID),
        outcome: outcomeOfStatus(code),
        duration:
          received && finished && line.stage === 'ResponseComplete'
            ? (Date.parse(finished) - Date.parse(received)) * 1e6
            : undefined,
        provider: 'kube-apiserver',
        module: 'kubernetes',
        dataset: 'kubernetes.audit',
      }),
      user: defined({ name: username, id: str(user.uid) }),
      source: ips.length > 0 ? { ip: ips[0] } : undefined,
      client: ips.length > 0 ? { ip: ips[0] } : undefined,
      related: defined({
        ip: ips.length > 0 ? ips : undefined,
        user: username ? [username] : undefined,
      }),
      user_agent: userAgent ? { original: userAgent } : undefined,
      url: path !== undefined ? { path, original: path } : undefined,
      http:
        code !== undefined ? { response: { status_code: code } } : undefined,
      orchestrator: defined({
        type: 'kubernetes',
        api_version: str(objectRef.apiVersion),
        namespace: str(objectRef.namespace),
        resource: defined({
          type: str(objectRef.resource),
          name: str(objectRef.name),
        }),
      }),
      service: defined({ name: options.serviceName }),
    });
  },
};
