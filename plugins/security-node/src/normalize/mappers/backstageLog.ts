import {
  ecsDocument,
  httpFields,
  merge,
  num,
  isoTime,
  str,
  traceFields,
} from '../fields';
import type { JsonObject, Mapper } from '../types';

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
    const plugin = str(line.plugin);
    const base = {
      message: line.type === 'incomingRequest' ? undefined : str(line.message),
      log: { level: str(line.level), logger: str(line.logger) },
      service: {
        name: options.serviceName ?? str(line.service) ?? 'backstage',
      },
      event: {
        kind: 'event',
        module: 'backstage',
        dataset: plugin ? `backstage.${plugin}` : 'backstage.log',
      },
      ...traceFields(line),
    };
    return ecsDocument(
      isoTime(line.timestamp),
      base,
      line.type === 'incomingRequest' ? accessFields(line) : {},
    );
  },
};

function accessFields(line: JsonObject) {
  const status = num(line.status);
  return merge(
    httpFields({
      method: str(line.method),
      url: str(line.url),
      status,
      ip: str(line.ip) ?? str(line.remoteAddress),
      userAgent: str(line.userAgent),
      durationMs: num(line.durationMs) ?? num(line.responseTime),
      bytes: num(line.contentLength),
      httpVersion: str(line.httpVersion),
    }),
    {
      event: {
        category: ['web'],
        type: [status !== undefined && status >= 400 ? 'error' : 'access'],
        dataset: 'backstage.access',
      },
    },
  );
}
