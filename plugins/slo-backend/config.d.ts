export interface Config {
  /** The SLO plugin. */
  slo?: {
    /** How often burn rates are evaluated, in seconds. Default 60. */
    evaluationIntervalSeconds?: number;
  };
}
