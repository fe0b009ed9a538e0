import {
  accessEvent,
  defined,
  ecsDocument,
  httpFields,
  HttpAccess,
  num,
  isoTime,
  str,
  traceFields,
} from '../fields';
import type { EcsDocument } from '../../correlation/types';
import type { JsonObject, Mapper, NormalizeOptions } from '../types';

/** What a Backstage log document is made of (from a JSON line or an ECS one). */
export interface BackstageLogParts {
  timestamp: string | undefined;
  message?: string;
  level?: string;
  logger?: string;
  service?: string;
  plugin?: string;
  /** Set for HTTP access lines. */
  access?: HttpAccess;
  trace: JsonObject;
}

/**
 * Backstage's root HTTP router logs through `rootLogger.child({ service:
 * 'rootHttpRouter' })`: in its JSON lines that `service` is the logger's
 * name, not the service.
 */
const ROOT_LOGGERS = new Set(['rootHttpRouter']);

/** The ECS document of one Backstage log line. */
export function backstageLogDocument(
  parts: BackstageLogParts,
  options: NormalizeOptions,
): EcsDocument {
  const { access, plugin } = parts;
  return ecsDocument(parts.timestamp, {
    message: access ? undefined : parts.message,
    log: defined({ level: parts.level, logger: parts.logger }),
    service: {
      name: options.serviceName ?? parts.service ?? 'backstage',
    },
    event: access
      ? accessEvent('backstage', 'backstage.access', access)
      : {
          kind: 'event',
          module: 'backstage',
          dataset: plugin ? `backstage.${plugin}` : 'backstage.log',
        },
    ...parts.trace,
    ...(access && httpFields(access)),
  });
}

/**
 * Lines of Backstage's winston JSON log format: `level`, `message`,
 * `service`, `plugin`, `timestamp`, and its HTTP access lines
 * (`type: incomingRequest` with method, url, status, userAgent, ...).
 */
export const backstageLog: Mapper = {
  name: 'backstage.log',
  matches: line =>
    typeof line.level === 'string' && typeof line.message === 'string',
  map(line, options) {
    const service = str(line.service);
    const serviceIsLogger = service !== undefined && ROOT_LOGGERS.has(service);
    return backstageLogDocument(
      {
        timestamp: isoTime(line.timestamp),
        message: str(line.message),
        level: str(line.level),
        logger: str(line.logger) ?? (serviceIsLogger ? service : undefined),
        service: serviceIsLogger ? undefined : service,
        plugin: str(line.plugin),
        access:
          line.type === 'incomingRequest' ? httpAccessOf(line) : undefined,
        trace: traceFields(line),
      },
      options,
    );
  },
};

function httpAccessOf(line: JsonObject): HttpAccess {
  return {
    method: str(line.method),
    url: str(line.url),
    status: num(line.status),
    // `remoteAddr`: ops-node's access log (`opsAccessLogging`).
    ip: str(line.ip) ?? str(line.remoteAddress) ?? str(line.remoteAddr),
    userAgent: str(line.userAgent),
    durationMs: num(line.durationMs) ?? num(line.responseTime),
    bytes: num(line.contentLength),
    httpVersion: str(line.httpVersion),
  };
}
