import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import type { Region } from '@internal/plugin-privacy-common';

/** Catalog annotations of a Resource that holds personal data. */
export const CONNECTION_ANNOTATION = 'privacy.ops.portal/connection';
export const REGION_ANNOTATION = 'ops.portal/region';

export interface DataSource {
  /** Entity ref of the catalog Resource. */
  entityRef: string;
  /** The app-config connection that reaches it. */
  connection: string;
}

/** Reads Resources from the catalog; the plugin passes the catalog service. */
export type ResourceLoader = () => Promise<Entity[]>;

/**
 * The data sources of one region: the catalog Resources that name a
 * connection and sit in that region. Nothing outside the region is returned,
 * so an EU request can never reach a US store.
 */
export class SourceResolver {
  constructor(private readonly loadResources: ResourceLoader) {}

  async sourcesIn(region: Region): Promise<DataSource[]> {
    const resources = await this.loadResources();
    return resources
      .filter(
        entity => entity.metadata.annotations?.[REGION_ANNOTATION] === region,
      )
      .filter(entity => entity.metadata.annotations?.[CONNECTION_ANNOTATION])
      .map(entity => ({
        entityRef: stringifyEntityRef(entity),
        connection: entity.metadata.annotations![CONNECTION_ANNOTATION],
      }))
      .sort((a, b) => a.entityRef.localeCompare(b.entityRef));
  }
}
