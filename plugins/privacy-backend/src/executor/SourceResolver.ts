import type { LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import type {
  Region,
  SourceDriftFlag,
  SourcesReport,
} from '@internal/plugin-privacy-common';
import type { ConfiguredConnection } from '../config';

/** Catalog annotations of a Resource that holds personal data. */
export const CONNECTION_ANNOTATION = 'privacy.ops.portal/connection';
export const REGION_ANNOTATION = 'ops.portal/region';

/** What `source` is for a configured connection no catalog Resource declares. */
export const undeclaredSourceRef = (connection: string) =>
  `connection:${connection}`;

export interface DataSource {
  /** Entity ref of the catalog Resource that declares it (`connection:<name>` when none does). */
  entityRef: string;
  /** The app-config connection that reaches it. */
  connection: string;
}

/** Reads Resources from the catalog; the plugin passes the catalog service. */
export type ResourceLoader = () => Promise<Entity[]>;

/**
 * The data sources of one region. Config decides which stores take part:
 * every configured connection of the region that config does not exclude,
 * whatever the catalog says. The catalog, which any signed-in user can
 * edit, only names them: a Resource that names a connection lends it its
 * entity ref. Where catalog and config disagree, the disagreement is a flag
 * (`report()`, logged once) and config wins:
 *
 * - `unknown-connection`: a Resource names a connection that is not
 *   configured; it is ignored (no request fails for it).
 * - `undeclared`: a configured connection no Resource names any more; it is
 *   still exported and erased.
 * - `region-mismatch`: a Resource's region is not its connection's region;
 *   the connection serves its configured region only.
 * - `excluded-declared`: a Resource names a connection config excludes; it
 *   stays excluded.
 *
 * Nothing outside the region is returned, so an EU request can never reach
 * a US store.
 */
const flagKey = (flag: SourceDriftFlag) =>
  `${flag.kind} ${flag.connection}${
    flag.entityRef ? ` ${flag.entityRef}` : ''
  }`;

/** What the resolver needs of a configured connection. */
export type ResolverConnection = Pick<
  ConfiguredConnection,
  'name' | 'region' | 'type' | 'excluded' | 'excludedReason'
>;

export class SourceResolver {
  readonly #connections: ResolverConnection[];
  readonly #logger?: LoggerService;
  /** Flags logged already, so each is logged once (again after it cleared). */
  readonly #logged = new Set<string>();

  constructor(
    private readonly loadResources: ResourceLoader,
    options: { connections: ResolverConnection[]; logger?: LoggerService },
  ) {
    this.#connections = [...options.connections];
    this.#logger = options.logger;
  }

  /** The region's sources, one per connection in force, sorted by entity ref. */
  async sourcesIn(region: Region): Promise<DataSource[]> {
    const report = await this.report();
    return report.sources
      .filter(source => source.region === region && !source.excluded)
      .map(source => ({
        entityRef: source.declaredBy[0] ?? undeclaredSourceRef(source.name),
        connection: source.name,
      }))
      .sort((a, b) => a.entityRef.localeCompare(b.entityRef));
  }

  /**
   * Every configured connection with the Resources that name it, and the
   * flags of what the catalog says that config does not. Reads the catalog
   * afresh; a catalog error propagates (the executor's attempt is retried).
   */
  async report(): Promise<SourcesReport> {
    const resources = await this.loadResources();
    const byName = new Map(this.#connections.map(c => [c.name, c]));
    const declaredBy = new Map<string, string[]>(
      this.#connections.map(c => [c.name, []]),
    );
    const flags: SourceDriftFlag[] = [];

    const declaring = resources
      .map(entity => ({
        ref: stringifyEntityRef(entity),
        connection: entity.metadata.annotations?.[CONNECTION_ANNOTATION],
        region: entity.metadata.annotations?.[REGION_ANNOTATION] ?? null,
      }))
      .filter(
        (r): r is { ref: string; connection: string; region: string | null } =>
          Boolean(r.connection),
      )
      .sort((a, b) => a.ref.localeCompare(b.ref));

    for (const resource of declaring) {
      const connection = byName.get(resource.connection);
      if (!connection) {
        flags.push({
          kind: 'unknown-connection',
          connection: resource.connection,
          entityRef: resource.ref,
          region: resource.region,
          message: `${resource.ref} names connection ${resource.connection}, which privacy.connections does not configure: ignored`,
        });
        continue;
      }
      declaredBy.get(connection.name)!.push(resource.ref);
      if (resource.region !== connection.region) {
        flags.push({
          kind: 'region-mismatch',
          connection: connection.name,
          entityRef: resource.ref,
          region: resource.region,
          message: `${resource.ref} is in region ${
            resource.region ?? '(none)'
          } but connection ${connection.name} is configured in ${
            connection.region
          }: it serves ${connection.region} only`,
        });
      }
      if (connection.excluded) {
        flags.push({
          kind: 'excluded-declared',
          connection: connection.name,
          entityRef: resource.ref,
          region: connection.region,
          message: `${resource.ref} names connection ${connection.name}, which config excludes (${connection.excludedReason}): it stays excluded`,
        });
      }
    }
    for (const connection of this.#connections) {
      if (
        !connection.excluded &&
        declaredBy.get(connection.name)!.length === 0
      ) {
        flags.push({
          kind: 'undeclared',
          connection: connection.name,
          entityRef: null,
          region: connection.region,
          message: `connection ${connection.name} (region ${connection.region}) is named by no catalog Resource: it is still exported and erased`,
        });
      }
    }

    this.#logNew(flags);
    return {
      checkedAt: new Date().toISOString(),
      sources: this.#connections.map(c => ({
        name: c.name,
        region: c.region,
        type: c.type,
        excluded: c.excluded,
        excludedReason: c.excludedReason,
        declaredBy: declaredBy.get(c.name)!,
      })),
      flags,
    };
  }

  #logNew(flags: SourceDriftFlag[]) {
    const current = new Set(flags.map(flagKey));
    for (const flag of flags) {
      if (!this.#logged.has(flagKey(flag))) {
        this.#logger?.warn(`Privacy data sources: ${flag.message}`);
      }
    }
    for (const key of this.#logged) {
      if (!current.has(key)) {
        this.#logger?.info(`Privacy data sources: resolved: ${key}`);
      }
    }
    this.#logged.clear();
    current.forEach(key => this.#logged.add(key));
  }
}
