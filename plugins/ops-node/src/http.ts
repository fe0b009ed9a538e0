import {
  HttpAuthService,
  HttpRouterService,
  PermissionsService,
  BackstageCredentials,
  BackstageServicePrincipal,
  BackstageUserPrincipal,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import type { NextFunction, Request, Response, Router } from 'express';
import type { Knex } from 'knex';
import { parseOrThrow } from './schema';
import { z } from 'zod';

/**
 * Adds the unauthenticated `GET /health` every ops plugin answers: 200 with
 * `{ status: 'ok' }` when its database answers, 503 otherwise.
 */
export function addHealthRoute(
  router: Router,
  httpRouter: HttpRouterService,
  db: Knex,
) {
  httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
  router.get('/health', async (_req, res) => {
    try {
      await db.raw('select 1');
      res.json({ status: 'ok' });
    } catch (error) {
      res
        .status(503)
        .json({ status: 'unavailable', reason: 'database unreachable' });
    }
  });
}

/** What a route asks of its caller besides the permission. */
export interface PermissionCheckOptions {
  /**
   * Only a signed-in user may call it, never another service (Backstage
   * allows every permission to service principals): for routes that
   * create, approve, administer or hand out personal data.
   */
  usersOnly?: boolean;
}

/**
 * Returns a function that checks one permission for the caller of a request
 * and throws NotAllowedError (403) unless the policy allows it.
 */
export function createPermissionCheck(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
}) {
  return async function requirePermission(
    req: Request,
    permission: BasicPermission,
    checkOptions: PermissionCheckOptions = {},
  ): Promise<BackstageCredentials<CallerPrincipal>> {
    const credentials = await options.httpAuth.credentials(req, {
      allow: checkOptions.usersOnly ? ['user'] : ['user', 'service'],
    });
    const [decision] = await options.permissions.authorize([{ permission }], {
      credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`Not allowed: ${permission.name}`);
    }
    return credentials;
  };
}

export type PermissionCheck = ReturnType<typeof createPermissionCheck>;

/**
 * Route middleware from a permission check: `router.post('/x',
 * allow(permission), handler)` answers 403 unless the caller may, and leaves
 * the caller's ref in `res.locals.caller` for the handler (and for anything
 * after it, such as a per-user rate limiter).
 */
export function createPermissionMiddleware(check: PermissionCheck) {
  return function allow(
    permission: BasicPermission,
    options?: PermissionCheckOptions,
  ) {
    return (req: Request, res: Response, next: NextFunction) => {
      check(req, permission, options).then(credentials => {
        res.locals.caller = callerRef(credentials);
        next();
      }, next);
    };
  };
}

export type PermissionMiddleware = ReturnType<
  typeof createPermissionMiddleware
>;

type CallerPrincipal = BackstageUserPrincipal | BackstageServicePrincipal;

/** Who made a call, for the record: a user entity ref, or the calling service. */
export function callerRef(
  credentials: BackstageCredentials<CallerPrincipal>,
): string {
  const principal = credentials.principal;
  return principal.type === 'user'
    ? principal.userEntityRef
    : `service:${principal.subject}`;
}

/**
 * Parses a request body or query with a zod schema; anything invalid becomes
 * a 400 whose message names each offending field.
 */
export function parseInput<S extends z.ZodTypeAny>(
  schema: S,
  input: unknown,
): z.output<S> {
  return parseOrThrow(
    schema,
    input,
    problems => new InputError(`Invalid input: ${problems.join('; ')}`),
  );
}
