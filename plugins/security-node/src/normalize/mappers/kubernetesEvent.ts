import { defined, ecsDocument, isoTime, obj, str } from '../fields';
import type { JsonObject, Mapper } from '../types';

const isCoreEvent = (line: JsonObject) =>
  line.apiVersion === 'v1' && obj(line.involvedObject) !== undefined;
const isEventsApiEvent = (line: JsonObject) =>
  line.apiVersion === 'events.k8s.io/v1' && obj(line.regarding) !== undefined;

/**
 * Kubernetes Event objects, core `v1` (involvedObject, message, source) and
 * `events.k8s.io/v1` (regarding, note, reportingController). They describe
 * what happened to a resource; ECS has no orchestrator category, so they are
 * `host`/`info` events with the resource in `orchestrator.*`.
 */
export const kubernetesEvent: Mapper = {
  name: 'kubernetes.event',
  matches: line =>
    line.kind === 'Event' && (isCoreEvent(line) || isEventsApiEvent(line)),
  map(line, options) {
    const meta = obj(line.metadata) ?? {};
    const target = obj(line.involvedObject) ?? obj(line.regarding) ?? {};
    const source = obj(line.source) ?? {};
    const type = str(line.type);
    const hostname = str(source.host) ?? str(line.reportingInstance);
    return ecsDocument(
      isoTime(line.eventTime) ??
        isoTime(line.lastTimestamp) ??
        isoTime(line.deprecatedLastTimestamp) ??
        isoTime(line.firstTimestamp) ??
        isoTime(meta.creationTimestamp),
      {
        message: str(line.message) ?? str(line.note),
        log: { level: type === 'Warning' ? 'warning' : 'info' },
        event: defined({
          kind: 'event',
          category: ['host'],
          type: ['info'],
          action: str(line.reason),
          reason: str(line.reason),
          provider:
            str(line.reportingController) ??
            str(line.reportingComponent) ??
            str(source.component),
          id: str(meta.uid),
          module: 'kubernetes',
          dataset: 'kubernetes.event',
        }),
        host: hostname ? { hostname } : undefined,
        orchestrator: defined({
          type: 'kubernetes',
          api_version: str(line.apiVersion),
          namespace: str(target.namespace) ?? str(meta.namespace),
          resource: defined({
            type: str(target.kind)?.toLowerCase(),
            name: str(target.name),
            id: str(target.uid),
          }),
        }),
        service: defined({ name: options.serviceName }),
      },
    );
  },
};
