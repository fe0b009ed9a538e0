import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';

/**
 * Whose budget a call spends: a signed-in user's own (by user entity ref,
 * from whatever address they call), anyone else's by client address.
 * `res.locals.caller` is the ref the permission middleware leaves (`allow`
 * in `@internal/plugin-ops-node`), so the limiter must come after it; user
 * refs start with `user:`, other backends' with `service:`. The address is
 * `req.ip`, which honours Express' `trust proxy` (Backstage sets it from
 * `backend.trustProxy`): behind a proxy without it, every caller shares the
 * proxy's address.
 */
export function rateLimitKey(req: Request, res: Response): string {
  const caller: unknown = res.locals.caller;
  if (typeof caller === 'string' && caller.startsWith('user:')) {
    return caller;
  }
  return `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
}

/**
 * A per-minute limit, to mount after the permission check: a caller the
 * policy refuses gets its 403 without spending anyone's budget. Over the
 * limit: 429 with `Retry-After` (seconds) and the draft-7 `RateLimit`
 * headers. Each call creates its own budget (an in-memory store per
 * process).
 */
export function createCallerRateLimit(options: {
  perMinute: number;
  /** Named in the 429's message, e.g. "intake". */
  what: string;
}): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: options.perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: rateLimitKey,
    handler: (_req, res, _next, opts) => {
      res.status(opts.statusCode).json({
        error: {
          name: 'TooManyRequests',
          message: `Too many ${options.what} requests; retry after the Retry-After header`,
        },
      });
    },
  });
}
