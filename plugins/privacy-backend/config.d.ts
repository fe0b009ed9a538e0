export interface Config {
  /** The privacy (DSAR) plugin. */
  privacy?: {
    sla?: {
      /** Internal SLA for exports, in hours. Default 24. */
      exportHours?: number;
      /** Internal SLA for erasures, in hours. Default 72. */
      deleteHours?: number;
    };
    /** Share of requests that must finish within SLA. Default 0.95. */
    objective?: number;
    /** Days an export download link stays valid. Default 7. */
    exportLinkDays?: number;
    /** Encryption of subject identifiers at rest. */
    identifiers: {
      /** @visibility secret */
      key: { id: string; key: string };
      /** Pepper of the subject lookup hash (base64, 32 bytes). @visibility secret */
      pepper: string;
    };
    /** Per region: the master key wrapping export keys, and where bundles are stored. */
    regions: {
      [region: string]: {
        /** @visibility secret */
        masterKey: { id: string; key: string };
        /** @visibility secret */
        previousKeys?: Array<{ id: string; key: string }>;
        storage: { directory: string };
      };
    };
    /**
     * Data-store connections by name, as catalog Resources reference them:
     * `{ type: sql, region, client, connection, tables }` or
     * `{ type: http, region, url, secret }`.
     * @visibility secret
     */
    connections?: { [name: string]: { [key: string]: unknown } };
    intakeRateLimit?: {
      /** Intake requests per minute, per IP and per user. Default 100. */
      perMinute?: number;
    };
    demo?: {
      /** Seed demo data stores and a labelled demo queue (for `yarn start`). */
      enabled?: boolean;
    };
  };
}
