import {
  accessEvent,
  defined,
  ecsDocument,
  httpFields,
  HttpAccess,
  isoTime,
  num,
  obj,
  str,
  traceFields,
} from '../fields';
import type { JsonObject, Mapper } from '../types';

const LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/**
 * pino JSON lines: numeric `level`, `time` in epoch milliseconds, `msg`,
 * and pino-http's `req`/`res`/`responseTime`.
 */
export const pino: Mapper = {
  name: 'pino',
  matches: line =>
    typeof line.level === 'number' &&
    (typeof line.time === 'number' || typeof line.time === 'string'),
  map(line, options) {
    const level = num(line.level) ?? 0;
    const req = obj(line.req);
    const res = obj(line.res);
    const access =
      req || res ? httpAccessOf(line, req ?? {}, res ?? {}) : undefined;
    const pid = num(line.pid);
    return ecsDocument(isoTime(line.time), {
      message: str(line.msg),
      log: { level: LEVELS[level] ?? String(level) },
      event: access
        ? accessEvent('pino', 'pino.access', access)
        : { kind: 'event', module: 'pino', dataset: 'pino.log' },
      service: defined({ name: options.serviceName ?? str(line.name) }),
      host: defined({ hostname: str(line.hostname) }),
      process: pid !== undefined ? { pid } : undefined,
      ...traceFields(line),
      ...(access && httpFields(access)),
    });
  },
};

function httpAccessOf(
  line: JsonObject,
  req: JsonObject,
  res: JsonObject,
): HttpAccess {
  const headers = obj(req.headers) ?? {};
  return {
    method: str(req.method),
    url: str(req.url) ?? str(req.originalUrl),
    status: num(res.statusCode) ?? num(res.status),
    ip: str(req.remoteAddress) ?? str(req.ip),
    userAgent: str(headers['user-agent']),
    durationMs: num(line.responseTime),
  };
}
