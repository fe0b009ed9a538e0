export interface Config {
  /** Settings shared by the ops plugins (privacy, slo, evidence, drills). */
  ops?: {
    /** The backend's log format: text | json | ecs (Elastic Common Schema); unset = Backstage's default. */
    logging?: { format?: 'text' | 'json' | 'ecs' };
    http?: {
      /**
       * At shutdown, seconds requests may run on before their connections
       * are closed (long polls would hold the server open). Default 10.
       */
      shutdownDrainSeconds?: number;
    };
    /**
     * Whether this process serves the ops plugins' HTTP API. Default true.
     * With `false` and `queue.workers: true` it is a worker-only replica that
     * answers only `/health`; with `queue.workers: false` an API-only one.
     */
    api?: boolean;
    queue?: {
      /** `memory` (in-process, the embedded default) or `bullmq` (Redis). */
      driver?: 'memory' | 'bullmq';
      redis?: {
        /** e.g. redis://127.0.0.1:6379 @visibility secret */
        url: string;
      };
      /** Key prefix of the queues in Redis. Default `ops`. */
      prefix?: string;
      /** Attempts per job before it is dead-lettered. Default 3. */
      attempts?: number;
      /** First retry delay, doubling each attempt. Default 30. */
      backoffSeconds?: number;
      /** Jobs a worker process runs at once. Default 10. */
      concurrency?: number;
      /** Jobs started per window. Default 100 per 60 s. */
      rateLimit?: { max: number; durationSeconds: number };
      /** Whether this process runs workers; false runs the API only. Default true. */
      workers?: boolean;
    };
    storage?: {
      /** Local folder for blobs (exports, evidence files). Default `.data/blobs`. */
      directory?: string;
    };
  };
}
