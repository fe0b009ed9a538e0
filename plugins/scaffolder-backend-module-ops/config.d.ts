export interface Config {
  ops?: {
    /** The ops scaffolder actions (ops:rollback:*, ops:notify, ops:evidence:*, ops:drill:*). */
    scaffolder?: {
      /** Files every rollback as CC8.1 evidence through the evidence plugin. Default on. */
      evidenceFiling?: { enabled?: boolean };
      /** Where ops:notify sends; a target that is not set is refused (or skipped with skipUnconfigured). */
      notify?: {
        slack?: {
          /**
           * A bot token with chat:write and channels:history.
           * @visibility secret
           */
          token: string;
          /** The channel ID, e.g. C0123456789. */
          channel: string;
          /** Default https://slack.com/api. */
          url?: string;
        };
        statuspage?: {
          /**
           * The Statuspage API key.
           * @visibility secret
           */
          apiKey: string;
          pageId: string;
          /** Default https://api.statuspage.io/v1. */
          url?: string;
          /** Catalog entity name → Statuspage component id. */
          components?: { [entityName: string]: string };
        };
      };
      /**
       * DEMO ONLY: accepts the committed audit key and serves a stand-in
       * Kubernetes API holding the demo services.
       */
      demo?: {
        enabled?: boolean;
        kubernetes?: {
          /** Default 7081. */
          port?: number;
          /** Default demo-kubernetes-token. */
          token?: string;
          /** Default 3000. */
          readyAfterMs?: number;
        };
      };
    };
  };
}
