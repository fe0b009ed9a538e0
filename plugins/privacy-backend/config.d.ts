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
    /**
     * Where the audit chain's head is anchored outside the database: a local
     * folder or an S3 bucket (with Object Lock where you can). Defaults to the
     * export storage of the first configured region.
     */
    auditAnchorStorage?:
      | { directory: string }
      | {
          s3: {
            bucket: string;
            region?: string;
            endpoint?: string;
            prefix?: string;
          };
        };
    /** Minutes between two purges of expired export bundles from storage. Default 60. */
    exportPurgeMinutes?: number;
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
        /**
         * The Group whose members own this region's requests (the
         * privacy-request rule IS_REGION_OWNED_BY). Default group:default/privacy.
         */
        owner?: string;
        /** @visibility secret */
        masterKey: { id: string; key: string };
        /** @visibility secret */
        previousKeys?: Array<{ id: string; key: string }>;
        /** Where export bundles are kept: set either `directory` or `s3`. */
        storage: {
          /** A local folder. */
          directory?: string;
          /** An S3 bucket or a bucket of an S3-compatible service (MinIO, Ceph, ...). */
          s3?: {
            bucket: string;
            /** Object keys go under `<prefix>/`. */
            prefix?: string;
            /** Default us-east-1. */
            region?: string;
            /** The service's URL, for S3-compatible services. */
            endpoint?: string;
            /** Bucket in the path instead of the host name. Default true when `endpoint` is set. */
            forcePathStyle?: boolean;
            /** Without them the AWS SDK's default credential chain is used. */
            credentials?: {
              accessKeyId: string;
              /** @visibility secret */
              secretAccessKey: string;
            };
          };
        };
      };
    };
    /**
     * Data-store connections by name: `{ type: sql, region, client,
     * connection, tables }` or `{ type: http, region, url, secret, timeoutMs?,
     * maxResponseBytes? }`, each optionally with `demo`, `excluded` and
     * `excludedReason`. Every one takes part in every request of its region
     * unless excluded; catalog Resources only name them.
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
