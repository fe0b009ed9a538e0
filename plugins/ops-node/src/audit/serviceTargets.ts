import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import {
  parseEntityRef,
  stringifyEntityRef,
  type Entity,
} from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';

/**
 * The kinds of catalog entity that are services in ECS's sense: what runs,
 * what it runs on and what it exposes. An audit event about a user or a
 * group (a drill participant, say) has no `service.target`.
 */
const SERVICE_KINDS = new Set(['component', 'resource', 'api', 'system']);

/** What the catalog says of an entity, as ECS `service.target.*` reads it. */
export interface ServiceTargetFacts {
  /** `spec.type`, e.g. `service`, `database`. */
  type?: string;
  /** `spec.lifecycle`, e.g. `production`, `experimental`. */
  environment?: string;
  /** `spec.owner` as an entity ref, e.g. `group:default/platform`. */
  owner?: string;
}

/** ECS `service.target` of an audit event (a type, so it is JSON to the logger). */
export type EcsServiceTarget = {
  /** The entity's name, e.g. `checkout`. */
  name: string;
  /** The entity's ref, e.g. `component:default/checkout`. */
  id: string;
  type?: string;
  environment?: string;
};

/** Where an audit event's `data.entityRef` is read from. */
export const entityRefOfAuditData = (
  data: Record<string, unknown> | undefined,
): string | undefined =>
  typeof data?.entityRef === 'string' && data.entityRef !== ''
    ? data.entityRef
    : undefined;

function parseServiceRef(entityRef: string) {
  try {
    const ref = parseEntityRef(entityRef, {
      defaultKind: 'component',
      defaultNamespace: 'default',
    });
    const kind = ref.kind.toLocaleLowerCase('en-US');
    return SERVICE_KINDS.has(kind) ? { ...ref, kind } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * ECS `service.target` for the catalog entity an event acted on: its name
 * and ref, and what the catalog says of it when `facts` are known. Nothing
 * for refs that are not service-like (users, groups) or do not parse.
 */
export function serviceTargetOf(
  entityRef: string,
  facts?: ServiceTargetFacts,
): EcsServiceTarget | undefined {
  const ref = parseServiceRef(entityRef);
  if (!ref) return undefined;
  return {
    name: ref.name,
    id: stringifyEntityRef(ref),
    ...(facts?.type ? { type: facts.type } : {}),
    ...(facts?.environment ? { environment: facts.environment } : {}),
  };
}

/** Looks up what the catalog says of entities, for `service.target`. */
export interface ServiceTargetLookup {
  /** Facts by the refs as given; a ref the catalog does not know is absent. */
  describe(entityRefs: string[]): Promise<Map<string, ServiceTargetFacts>>;
}

const str = (value: unknown) =>
  typeof value === 'string' && value !== '' ? value : undefined;

function factsOf(entity: Entity): ServiceTargetFacts {
  const spec = entity.spec ?? {};
  const owner = str(spec.owner);
  let ownerRef: string | undefined;
  if (owner) {
    try {
      ownerRef = stringifyEntityRef(
        parseEntityRef(owner, {
          defaultKind: 'group',
          defaultNamespace: entity.metadata.namespace ?? 'default',
        }),
      );
    } catch {
      ownerRef = undefined;
    }
  }
  return {
    type: str(spec.type),
    environment: str(spec.lifecycle),
    owner: ownerRef,
  };
}

interface Cached {
  facts: ServiceTargetFacts | undefined;
  until: number;
}

/**
 * Reads service facts from the catalog with the plugin's own credentials,
 * in one `getEntitiesByRefs` call per batch of unknown refs, and keeps
 * them (found or not) for `ttlMs`, at most `maxEntries` refs (the oldest
 * go first). A catalog that fails or is slow leaves events without the
 * facts: a warning, never a lost log line.
 */
export class CatalogServiceTargets implements ServiceTargetLookup {
  readonly #cache = new Map<string, Cached>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(
    private readonly deps: {
      catalog: Pick<CatalogService, 'getEntitiesByRefs'>;
      auth: Pick<AuthService, 'getOwnServiceCredentials'>;
      logger?: Pick<LoggerService, 'warn'>;
    },
    options: { ttlMs?: number; maxEntries?: number; now?: () => number } = {},
  ) {
    this.#ttlMs = options.ttlMs ?? 5 * 60_000;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  async describe(
    entityRefs: string[],
  ): Promise<Map<string, ServiceTargetFacts>> {
    const now = this.#now();
    const keyOf = new Map<string, string>();
    for (const entityRef of entityRefs) {
      const ref = parseServiceRef(entityRef);
      if (ref) keyOf.set(entityRef, stringifyEntityRef(ref));
    }
    const missing = [...new Set(keyOf.values())].filter(
      key => (this.#cache.get(key)?.until ?? 0) <= now,
    );
    if (missing.length > 0) await this.#fetch(missing, now);
    const result = new Map<string, ServiceTargetFacts>();
    for (const [entityRef, key] of keyOf) {
      const facts = this.#cache.get(key)?.facts;
      if (facts) result.set(entityRef, facts);
    }
    return result;
  }

  async #fetch(keys: string[], now: number) {
    try {
      const { items } = await this.deps.catalog.getEntitiesByRefs(
        {
          entityRefs: keys,
          fields: [
            'kind',
            'metadata.namespace',
            'metadata.name',
            'spec.type',
            'spec.lifecycle',
            'spec.owner',
          ],
        },
        { credentials: await this.deps.auth.getOwnServiceCredentials() },
      );
      keys.forEach((key, index) => {
        const entity = items[index];
        this.#remember(key, {
          facts: entity ? factsOf(entity) : undefined,
          until: now + this.#ttlMs,
        });
      });
    } catch (error) {
      this.deps.logger?.warn(
        `Could not read ${keys.length} catalog entities for audit events' service.target; logged without their type, lifecycle and owner: ${error}`,
      );
    }
  }

  #remember(key: string, cached: Cached) {
    this.#cache.delete(key);
    this.#cache.set(key, cached);
    while (this.#cache.size > this.#maxEntries) {
      const oldest = this.#cache.keys().next().value as string;
      this.#cache.delete(oldest);
    }
  }
}
