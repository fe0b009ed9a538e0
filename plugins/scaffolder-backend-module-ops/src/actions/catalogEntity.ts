import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';

/** Reads an entity from the catalog (the shape of the catalog service's method). */
export type CatalogReader = {
  getEntityByRef(
    entityRef: string,
    options: { credentials: BackstageCredentials },
  ): Promise<Entity | undefined>;
};

/** How an action reads entities: the catalog service, or a function (tests). */
export type EntitySource = {
  catalog?: CatalogReader;
  getEntity?: (
    entityRef: string,
    credentials: BackstageCredentials,
  ) => Promise<Entity | undefined>;
};

/**
 * Returns a reader of the entity an action acts on, with the task
 * initiator's credentials (so the catalog's permissions apply to them): the
 * full ref (kind defaults to component) and the entity, or a NotFoundError.
 */
export function entityReader(source: EntitySource, actionId: string) {
  const get =
    source.getEntity ??
    (source.catalog
      ? (ref: string, credentials: BackstageCredentials) =>
          source.catalog!.getEntityByRef(ref, { credentials })
      : undefined);
  if (!get) {
    throw new Error(`${actionId} needs either catalog or getEntity`);
  }
  return async (
    ref: string,
    ctx: { getInitiatorCredentials(): Promise<BackstageCredentials> },
  ): Promise<{ entityRef: string; entity: Entity }> => {
    const entityRef = stringifyEntityRef(
      parseEntityRef(ref, { defaultKind: 'component' }),
    );
    const entity = await get(entityRef, await ctx.getInitiatorCredentials());
    if (!entity) {
      throw new NotFoundError(`Entity ${entityRef} not found in the catalog`);
    }
    return { entityRef, entity };
  };
}
