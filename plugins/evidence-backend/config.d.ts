type Duration = {
  days?: number;
  hours?: number;
  minutes?: number;
  seconds?: number;
};

interface PostgresConnection {
  host: string;
  port?: number;
  user: string;
  /** @visibility secret */
  password?: string;
  database: string;
}

export interface Config {
  /** The SOC 2 evidence plugin (see its README). */
  evidence?: {
    /** Years every item is kept before it may expire. Default 7. */
    retentionYears?: number;
    /** Criteria beyond CC1-CC9 (A1, C1, PI1, P), with their points. */
    criteria?: Array<{
      id: string;
      title: string;
      points: Array<{ id: string; title: string }>;
    }>;
    /** Where files and binders are kept: `directory`, or `s3` (with `objectLock`). Default a local folder. */
    storage?: {
      directory?: string;
      s3?: {
        bucket: string;
        prefix?: string;
        region?: string;
        endpoint?: string;
        forcePathStyle?: boolean;
        credentials?: {
          accessKeyId: string;
          /** @visibility secret */
          secretAccessKey: string;
        };
        objectLock?: { mode: 'GOVERNANCE' | 'COMPLIANCE'; retainDays?: number };
      };
    };
    uploads?: {
      /** Largest upload in bytes. Default 25 MiB. */
      maxBytes?: number;
      /** Media types accepted for uploads. */
      mediaTypes?: string[];
    };
    /** When every collector runs. Default every 24 hours, 30 minutes each at most. */
    schedule?: {
      frequency?: Duration;
      timeout?: Duration;
      initialDelay?: Duration;
    };
    binders: {
      /**
       * PKCS#8 PEM of the Ed25519 key that signs binder manifests.
       * @visibility secret
       */
      signingKey: string;
      /** gzip level of binders: 0 stores (fastest), 9 packs tightest. Default 1. */
      compressionLevel?: number;
    };
    builtInCollectors?: {
      /** Built-in collectors to leave out, by id. */
      disabled?: string[];
      sbom?: { workspaceRoot?: string };
      hardening?: { manifestsRoot?: string; allowedRegistries?: string[] };
    };
    changeManagement?: {
      /** Days before the run the period starts. Default 7. */
      periodDays?: number;
      /** Where remote repositories are cloned. */
      cacheDir?: string;
      /** Read GitHub through integrations.github[0] when it has a token. Default true. */
      github?: boolean;
      signatures?: { gnupgHome?: string; sshAllowedSignersFile?: string };
      /** Entity ref or name to a git URL or path. */
      repositories?: Array<{
        entity: string;
        url: string;
        ref?: string;
        clone?: boolean;
      }>;
    };
    backupRestore?: {
      /** How long one run may take, in minutes. Default 30. */
      timeoutMinutes?: number;
      targets?: Array<{
        kind: 'postgres' | 'sqlite';
        name: string;
        entityRef?: string;
        binDir?: string;
        path?: string;
        connection?: PostgresConnection;
        scratchConnection?: PostgresConnection;
      }>;
    };
    demo?: { enabled?: boolean };
  };
}
