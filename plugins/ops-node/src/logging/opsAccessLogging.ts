import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Request, RequestHandler, Response } from 'express';

/** @public */
export interface OpsAccessLoggingOptions {
  /** A monotonic clock in nanoseconds. Default: `process.hrtime.bigint`. */
  now?: () => bigint;
}

/** The meta Backstage's `getLogMeta` builds (backend-defaults 0.19), field for field. */
function backstageLogMeta(req: Request, res: Response) {
  const referrer = req.headers.referer ?? req.headers.referrer;
  const userAgent = req.headers['user-agent'];
  const contentLength = Number(res.getHeader('content-length'));
  const meta: Record<string, string | number> = {
    method: req.method,
    url: req.originalUrl ?? req.url,
    status: res.statusCode,
    httpVersion: `${req.httpVersionMajor}.${req.httpVersionMinor}`,
  };
  if (userAgent) meta.userAgent = userAgent;
  if (isFinite(contentLength)) meta.contentLength = contentLength;
  if (referrer) {
    meta.referrer = Array.isArray(referrer) ? referrer.join(', ') : referrer;
  }
  return meta;
}

/**
 * The access log of Backstage's `MiddlewareFactory.logging()` — same message,
 * same `type: 'incomingRequest'` meta — plus `remoteAddr` (`req.ip`, so it
 * follows `backend.trustProxy`) and `durationMs` (request start to the
 * response's `finish`). Like Backstage's, it logs on `finish` only: a request
 * whose connection closes before the response is written is not logged.
 */
export function opsAccessLogging(
  logger: LoggerService,
  options: OpsAccessLoggingOptions = {},
): RequestHandler {
  const now = options.now ?? process.hrtime.bigint;
  return (req, res, next) => {
    const start = now();
    res.on('finish', () => {
      const durationMs = Number(now() - start) / 1e6;
      const meta = backstageLogMeta(req, res);
      logger.info(
        `"${meta.method} ${meta.url} HTTP/${meta.httpVersion}" ${meta.status} ${
          meta.contentLength ?? 0
        } "${meta.referrer ?? '-'}" "${meta.userAgent ?? '-'}"`,
        {
          type: 'incomingRequest',
          ...meta,
          ...(req.ip ? { remoteAddr: req.ip } : {}),
          durationMs,
        },
      );
    });
    next();
  };
}
