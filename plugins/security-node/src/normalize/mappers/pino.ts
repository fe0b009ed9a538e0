import {
  ecsDocument,
  httpFields,
  isoTime,
  merge,
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
    return ecsDocument(
      isoTime(line.time),
      {
        message: str(line.msg),
        log: { level: LEVELS[level] ?? String(level) },
        event: { kind: 'event', module: 'pino', dataset: 'pino.log' },
        service: { name: options.serviceName ?? str(line.name) },
        host: { hostname: str(line.hostname) },
        process: { pid: num(line.pid) },
        ...traceFields(line),
      },
      req || res ? accessFields(line, req ?? {}, res ?? {}) : {},
    );
  },
};

function accessFields(line: JsonObject, req: JsonObject, res: JsonObject) {
  const headers = obj(req.headers) ?? {};
  const status = num(res.statusCode) ?? num(res.status);
  return merge(
    httpFields({
      method: str(req.method),
      url: str(req.url) ?? str(req.originalUrl),
      status,
      ip: str(req.remoteAddress) ?? str(req.ip),
      userAgent: str(headers['user-agent']),
      durationMs: num(line.responseTime),
    }),
    {
      event: {
        category: ['web'],
        type: [status !== undefined && status >= 400 ? 'error' : 'access'],
        dataset: 'pino.access',
      },
    },
  );
}
