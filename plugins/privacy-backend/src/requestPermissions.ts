import type {
  BackstageCredentials,
  BackstageServicePrincipal,
  BackstageUserPrincipal,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  PermissionCriteria,
  PermissionRuleParams,
  PolicyDecision,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  ConditionTransformer,
  CreatePermissionRuleOptions,
  PermissionRuleset,
  createConditionAuthorizer,
  createConditionExports,
  createConditionTransformer,
  createPermissionResourceRef,
  createPermissionRule,
  isAndCriteria,
  isNotCriteria,
  isOrCriteria,
} from '@backstage/plugin-permission-node';
import { callerRef } from '@internal/plugin-ops-node';
import {
  DsarRequest,
  PRIVACY_REQUEST_RESOURCE_TYPE,
  REGIONS,
  Region,
  privacyRequestReadPermission,
  privacyRequestSubjectReadPermission,
} from '@internal/plugin-privacy-common';
import type { Request } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { DEFAULT_REGION_OWNER, PrivacyConfig } from './config';

/**
 * A DSAR request as the permission rules see it: where it runs, who filed
 * it, and the group that owns its region (`privacy.regions.<R>.owner`).
 */
export interface PrivacyRequestResource {
  id: string;
  region: Region;
  requester: string;
  /** Group entity ref, lower case. */
  owner: string;
}

/** What a rule asks of the database: one of these columns in `values`. */
export interface PrivacyRequestQuery {
  field: 'region' | 'requester' | 'owner';
  values: string[];
}

/** The `privacy-request` resource type of the privacy plugin. */
export const privacyRequestResourceRef = createPermissionResourceRef<
  PrivacyRequestResource,
  PrivacyRequestQuery
>().with({ pluginId: 'privacy', resourceType: PRIVACY_REQUEST_RESOURCE_TYPE });

const lower = (ref: string) => ref.toLocaleLowerCase('en-US');

type ParamsSchema<P extends PermissionRuleParams> = NonNullable<
  CreatePermissionRuleOptions<
    typeof privacyRequestResourceRef,
    P
  >['paramsSchema']
>;

/**
 * A rule's params as a Standard Schema with its JSON Schema, the form the
 * permissions registry publishes: checked with `schema`, described by
 * `properties` (every one required, no other).
 */
function ruleParams<P extends PermissionRuleParams>(
  schema: z.ZodType<P>,
  properties: Record<keyof P & string, Record<string, unknown>>,
): ParamsSchema<P> {
  const json = {
    type: 'object',
    properties,
    required: Object.keys(properties),
    additionalProperties: false,
  };
  return {
    '~standard': {
      version: 1,
      vendor: 'privacy',
      validate: (value: unknown) => {
        const parsed = schema.safeParse(value);
        return parsed.success
          ? { value: parsed.data }
          : {
              issues: parsed.error.issues.map(issue => ({
                message: `${issue.path.join('.')}: ${issue.message}`,
              })),
            };
      },
      jsonSchema: { input: () => json, output: () => json },
    },
  };
}

const stringList = (description: string, values?: readonly string[]) => ({
  type: 'array',
  items: values ? { type: 'string', enum: values } : { type: 'string' },
  description,
});

/** The request runs in one of `regions`. */
const isInRegion = createPermissionRule({
  name: 'IS_IN_REGION',
  description: 'Allow requests of the given regions',
  resourceRef: privacyRequestResourceRef,
  paramsSchema: ruleParams<{ regions: Region[] }>(
    z.object({ regions: z.array(z.enum(REGIONS)) }).strict(),
    { regions: stringList('Regions, e.g. EU', REGIONS) },
  ),
  apply: (resource, { regions }) => regions.includes(resource.region),
  toQuery: ({ regions }) => ({ field: 'region', values: regions }),
});

/** The request was filed by `userEntityRef` (the policy passes the caller). */
const isRequester = createPermissionRule({
  name: 'IS_REQUESTER',
  description: 'Allow requests filed by the given user',
  resourceRef: privacyRequestResourceRef,
  paramsSchema: ruleParams<{ userEntityRef: string }>(
    z.object({ userEntityRef: z.string().min(1) }).strict(),
    {
      userEntityRef: {
        type: 'string',
        description: 'User entity ref of the requester',
      },
    },
  ),
  apply: (resource, { userEntityRef }) =>
    lower(resource.requester) === lower(userEntityRef),
  toQuery: ({ userEntityRef }) => ({
    field: 'requester',
    values: [lower(userEntityRef)],
  }),
});

/**
 * The request's region is owned by one of `groups` (the policy passes the
 * caller's groups): `privacy.regions.<R>.owner`, default group:default/privacy.
 */
const isRegionOwnedBy = createPermissionRule({
  name: 'IS_REGION_OWNED_BY',
  description:
    "Allow requests whose region's owning group (privacy.regions.<R>.owner) is one of the given groups",
  resourceRef: privacyRequestResourceRef,
  paramsSchema: ruleParams<{ groups: string[] }>(
    z.object({ groups: z.array(z.string()) }).strict(),
    { groups: stringList('Group entity refs') },
  ),
  apply: (resource, { groups }) => groups.map(lower).includes(resource.owner),
  toQuery: ({ groups }) => ({ field: 'owner', values: groups.map(lower) }),
});

/** The rules of the `privacy-request` resource type. */
export const privacyRequestRules = { isInRegion, isRequester, isRegionOwnedBy };

/**
 * For permission policies: `privacyRequestConditions.isRegionOwnedBy({ groups })`
 * and so on, and `createPrivacyRequestConditionalDecision(permission, criteria)`.
 */
export const {
  conditions: privacyRequestConditions,
  createConditionalDecision: createPrivacyRequestConditionalDecision,
} = createConditionExports({
  resourceRef: privacyRequestResourceRef,
  rules: privacyRequestRules,
});

/** A request id. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The owning group of each region: its config, else group:default/privacy. */
export function regionOwners(
  config: Pick<PrivacyConfig, 'regions'>,
): Record<Region, string> {
  return Object.fromEntries(
    REGIONS.map(region => [
      region,
      config.regions[region]?.owner ?? DEFAULT_REGION_OWNER,
    ]),
  ) as Record<Region, string>;
}

/** A filter on privacy_requests columns, as RequestStore applies it. */
export interface RequestColumnFilter {
  column: 'region' | 'requester';
  values: string[];
}

/** The facts of a request the permission rules read. */
export type RequestFacts = Pick<
  PrivacyRequestResource,
  'id' | 'region' | 'requester'
>;

/**
 * What one caller may see of requests, from the policy's decisions:
 * `where` (undefined: every row) narrows a list in the database, the two
 * checks decide for one request already loaded.
 */
export interface RequestScope {
  where?: PermissionCriteria<RequestColumnFilter>;
  canRead(request: RequestFacts): boolean;
  canSeeSubject(request: RequestFacts): boolean;
}

/** A scope that sees everything, subject ids included (tests, internal reads). */
export const FULL_SCOPE: RequestScope = {
  canRead: () => true,
  canSeeSubject: () => true,
};

/** A request as `scope` may see it: the subject id hidden unless allowed. */
export function presentRequest<T extends DsarRequest>(
  request: T,
  scope: Pick<RequestScope, 'canSeeSubject'>,
): T {
  return scope.canSeeSubject(request)
    ? request
    : { ...request, subjectId: null, subjectHidden: true };
}

/** Nothing matches: a criteria no row meets (an empty IN list). */
const NO_ROW: PermissionCriteria<RequestColumnFilter> = {
  column: 'region',
  values: [],
};

type CallerCredentials = BackstageCredentials<
  BackstageUserPrincipal | BackstageServicePrincipal
>;

/**
 * The `privacy-request` resources: requests as the rules see them, loaded
 * by id (for the permission backend's apply-conditions, and for a check of
 * one request) or by the id of their export.
 */
export class RequestResources {
  readonly owners: Record<Region, string>;

  constructor(
    private readonly db: Knex,
    config: Pick<PrivacyConfig, 'regions'>,
  ) {
    this.owners = regionOwners(config);
  }

  /** In the order of `ids`; undefined for an unknown id. */
  async getResources(
    ids: string[],
  ): Promise<Array<PrivacyRequestResource | undefined>> {
    const uuids = ids.filter(id => UUID.test(id));
    const rows: RequestFacts[] = uuids.length
      ? await this.db('privacy_requests')
          .select('id', 'region', 'requester')
          .whereIn('id', uuids)
      : [];
    const byId = new Map(rows.map(row => [row.id, this.resource(row)]));
    return ids.map(id => byId.get(id));
  }

  /** The request behind an export. */
  async exportResource(
    exportId: string,
  ): Promise<PrivacyRequestResource | undefined> {
    const row: RequestFacts | undefined = await this.db('privacy_exports as e')
      .join('privacy_requests as r', 'r.id', 'e.request_id')
      .select('r.id', 'r.region', 'r.requester')
      .where('e.id', exportId)
      .first();
    return row && this.resource(row);
  }

  resource(facts: RequestFacts): PrivacyRequestResource {
    return {
      id: facts.id,
      region: facts.region,
      requester: facts.requester,
      owner: lower(this.owners[facts.region] ?? DEFAULT_REGION_OWNER),
    };
  }
}

/**
 * Resource permission checks of the privacy routes. A decision of the
 * policy may be CONDITIONAL (rules above): for one request it is applied to
 * the request loaded here; for a list it becomes a database filter, so a
 * page never holds a request the caller may not read.
 */
export class RequestPermissions {
  readonly #authorize: (
    decision: PolicyDecision,
    resource: PrivacyRequestResource | undefined,
  ) => boolean;
  readonly #transform: ConditionTransformer<PrivacyRequestQuery>;

  constructor(
    private readonly deps: {
      resources: RequestResources;
      /** permissionsRegistry.getPermissionRuleset(privacyRequestResourceRef) */
      ruleset: PermissionRuleset<
        PrivacyRequestResource,
        PrivacyRequestQuery,
        typeof PRIVACY_REQUEST_RESOURCE_TYPE
      >;
      httpAuth: HttpAuthService;
      permissions: PermissionsService;
    },
  ) {
    this.#authorize = createConditionAuthorizer(deps.ruleset);
    this.#transform = createConditionTransformer(deps.ruleset);
  }

  /**
   * The caller's read scope on requests: 403 unless the policy allows
   * privacy.request.read for some requests. Subject ids are for signed-in
   * users only (Backstage allows every permission to services).
   */
  async readScope(
    req: Request,
  ): Promise<{ caller: string; scope: RequestScope }> {
    const credentials = await this.#credentials(req, false);
    const [read, subject] = await this.deps.permissions.authorizeConditional(
      [
        { permission: privacyRequestReadPermission },
        { permission: privacyRequestSubjectReadPermission },
      ],
      { credentials },
    );
    if (read.result === AuthorizeResult.DENY) {
      throw new NotAllowedError(
        `Not allowed: ${privacyRequestReadPermission.name}`,
      );
    }
    const isUser = credentials.principal.type === 'user';
    return {
      caller: callerRef(credentials),
      scope: {
        where: this.#where(read),
        canRead: request => this.#allows(read, request),
        canSeeSubject: request => isUser && this.#allows(subject, request),
      },
    };
  }

  /**
   * Checks a permission on one request (by its id, or by the id of its
   * export) and returns the caller with its scope, for presenting the
   * result. 403 when denied; 404 when the policy's conditions need a
   * request that does not exist.
   */
  async check(
    req: Request,
    permission: ResourcePermission<typeof PRIVACY_REQUEST_RESOURCE_TYPE>,
    target: { requestId: string } | { exportId: string },
    options: { usersOnly?: boolean } = {},
  ): Promise<{ caller: string; scope: RequestScope }> {
    const credentials = await this.#credentials(req, options.usersOnly);
    const [decision, subject] =
      await this.deps.permissions.authorizeConditional(
        [{ permission }, { permission: privacyRequestSubjectReadPermission }],
        { credentials },
      );
    const denied = () => new NotAllowedError(`Not allowed: ${permission.name}`);
    if (decision.result === AuthorizeResult.DENY) throw denied();
    if (decision.result === AuthorizeResult.CONDITIONAL) {
      const resource =
        'requestId' in target
          ? (await this.deps.resources.getResources([target.requestId]))[0]
          : await this.deps.resources.exportResource(target.exportId);
      if (!resource) {
        throw new NotFoundError(
          'requestId' in target
            ? `No request with id ${target.requestId}`
            : `No export with id ${target.exportId}`,
        );
      }
      if (!this.#authorize(decision, resource)) throw denied();
    }
    const isUser = credentials.principal.type === 'user';
    return {
      caller: callerRef(credentials),
      scope: {
        canRead: () => true,
        canSeeSubject: request => isUser && this.#allows(subject, request),
      },
    };
  }

  /**
   * A request returned by a route checked by another permission, its
   * subject id hidden unless the caller may see it.
   */
  async present<T extends DsarRequest>(req: Request, request: T): Promise<T> {
    const credentials = await this.#credentials(req);
    const [subject] = await this.deps.permissions.authorizeConditional(
      [{ permission: privacyRequestSubjectReadPermission }],
      { credentials },
    );
    const visible =
      credentials.principal.type === 'user' && this.#allows(subject, request);
    return presentRequest(request, {
      ...FULL_SCOPE,
      canSeeSubject: () => visible,
    });
  }

  #credentials(req: Request, usersOnly?: boolean): Promise<CallerCredentials> {
    return this.deps.httpAuth.credentials(req, {
      allow: usersOnly ? ['user'] : ['user', 'service'],
    });
  }

  #allows(decision: PolicyDecision, request: RequestFacts): boolean {
    if (decision.result !== AuthorizeResult.CONDITIONAL) {
      return decision.result === AuthorizeResult.ALLOW;
    }
    return this.#authorize(decision, this.deps.resources.resource(request));
  }

  /** A list filter from a decision: none for ALLOW, owner groups become regions. */
  #where(
    decision: PolicyDecision,
  ): PermissionCriteria<RequestColumnFilter> | undefined {
    if (decision.result !== AuthorizeResult.CONDITIONAL) return undefined;
    return mapCriteria(this.#transform(decision.conditions), query => {
      if (query.field !== 'owner') {
        return { column: query.field, values: query.values };
      }
      const regions = REGIONS.filter(region =>
        query.values.includes(lower(this.deps.resources.owners[region])),
      );
      return regions.length ? { column: 'region', values: regions } : NO_ROW;
    });
  }
}

/** The same criteria with each leaf mapped. */
function mapCriteria<A, B>(
  criteria: PermissionCriteria<A>,
  map: (leaf: A) => PermissionCriteria<B>,
): PermissionCriteria<B> {
  const each = (list: PermissionCriteria<A>[]) =>
    list.map(c => mapCriteria(c, map)) as [
      PermissionCriteria<B>,
      ...PermissionCriteria<B>[],
    ];
  if (isAndCriteria(criteria)) return { allOf: each(criteria.allOf) };
  if (isOrCriteria(criteria)) return { anyOf: each(criteria.anyOf) };
  if (isNotCriteria(criteria)) return { not: mapCriteria(criteria.not, map) };
  return map(criteria);
}
