import type { Region } from './requests';

/**
 * How the catalog disagrees with the configured data stores (config wins):
 * a Resource names a connection config does not have (`unknown-connection`,
 * ignored), a configured connection no Resource names (`undeclared`, still
 * exported and erased), a Resource's region is not its connection's
 * (`region-mismatch`), a Resource names an excluded connection
 * (`excluded-declared`, stays excluded).
 */
export type SourceDriftKind =
  | 'unknown-connection'
  | 'undeclared'
  | 'region-mismatch'
  | 'excluded-declared';

export interface SourceDriftFlag {
  kind: SourceDriftKind;
  connection: string;
  /** The Resource concerned; null for `undeclared`. */
  entityRef: string | null;
  /** The Resource's region annotation, or the connection's region for `undeclared`. */
  region: string | null;
  message: string;
}

/** `GET /sources/drift`: the configured stores, who declares them, and the flags. */
export interface SourcesReport {
  checkedAt: string;
  sources: Array<{
    /** The connection's name under privacy.connections. */
    name: string;
    region: Region;
    type: string;
    excluded: boolean;
    excludedReason: string | null;
    /** Entity refs of the catalog Resources that name it. */
    declaredBy: string[];
  }>;
  flags: SourceDriftFlag[];
}
