export interface Config {
  /** The SOC 2 evidence plugin. */
  evidence?: {
    /** How long evidence is kept before it may be deleted, in years. Default 7. */
    retentionYears?: number;
    /** Evidence older than this many days counts as stale. Default 90. */
    freshnessDays?: number;
  };
}
