export interface Config {
  /** The security plugin: live correlation rules over the backend's own events. */
  security?: {
    /** IANA time zone of the after-hours rule (22:00–06:00). Default UTC. */
    timezone?: string;
    /**
     * Correlation rules (see @internal/plugin-security-node's correlation
     * README); default: the four seed rules.
     */
    rules?: Array<{
      id: string;
      title: string;
      severity: 'low' | 'medium' | 'high' | 'critical';
      match: object;
      groupBy: string | string[];
      threshold: number;
      windowSeconds: number;
      timeOfDay?: { from: string; to: string; timezone: string };
    }>;
    /** Group keys tracked per rule (memory bound). Default 10000. */
    maxKeysPerRule?: number;
    queue?: {
      /** Log entries waiting for the rules at most; more are dropped and counted. Default 10000. */
      maxEntries?: number;
    };
    geoip?: {
      /** Path of a MaxMind-format (.mmdb) City or Country database. */
      database: string;
    };
    /** Alerts through the SLO plugin's notifiers (POST /api/slo/external-alerts). */
    notifications?: {
      /** Default true. */
      enabled?: boolean;
      /** The owning group the portal inbox notifies. Default group:default/platform. */
      entityRef?: string;
      /** page or ticket per alert severity. Default critical/high page, medium/low ticket. */
      severities?: {
        low?: 'page' | 'ticket';
        medium?: 'page' | 'ticket';
        high?: 'page' | 'ticket';
        critical?: 'page' | 'ticket';
      };
    };
    /** Demo mode (set by the demo config): seeds past alerts on an empty database. */
    demo?: { enabled?: boolean };
  };
}
