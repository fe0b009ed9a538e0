export interface Config {
  /** The SLO plugin: objectives, burn rates and alerts. */
  slo?: {
    /** How often objectives are evaluated (and sources read), in seconds. Default 60. */
    evaluationIntervalSeconds?: number;
    /** How often objective files and catalog annotations are read again, in minutes. Default 5. */
    discoveryIntervalMinutes?: number;
    /**
     * Folders of OpenSLO v1 files, relative to the backend's working
     * directory. A component's `slo.ops.portal/objectives` annotation names
     * its file(s) here, without `.yaml`.
     */
    objectiveFolders?: string[];
    notifications?: {
      /**
       * Where alerts go, by name (the names OpenSLO `AlertNotificationTarget`s
       * and `defaults`/`owners` refer to).
       */
      targets?: {
        [name: string]:
          | {
              type: 'pagerduty';
              /** @visibility secret */
              routingKey: string;
              /** Default https://events.pagerduty.com */
              url?: string;
            }
          | {
              type: 'jira';
              /** e.g. https://example.atlassian.net */
              url: string;
              email: string;
              /** @visibility secret */
              apiToken: string;
              projectKey: string;
              /** Default Task. */
              issueType?: string;
              /** The transition that closes the issue on resolve. Default Done. */
              doneTransition?: string;
            }
          | {
              type: 'slack';
              /** @visibility secret */
              token: string;
              /** A channel id, e.g. C0123456789. */
              channel: string;
              url?: string;
            }
          | {
              type: 'statuspage';
              /** @visibility secret */
              apiKey: string;
              pageId: string;
              componentId: string;
              url?: string;
              componentStatusWhenFiring?: string;
            }
          | { type: 'backstage' }
          | { type: 'demo' };
      };
      /** Targets of objectives whose file attaches no alert policy, by severity. */
      defaults?: { page?: string[]; ticket?: string[] };
      /** Per owning group entity ref: targets replacing the defaults. */
      owners?: { [group: string]: { page?: string[]; ticket?: string[] } };
      /**
       * Alerts other backend plugins send to `POST /api/slo/external-alerts`,
       * per source (the calling plugin's id, e.g. `security`): targets by
       * severity. A source not listed is refused (403). Unknown target names
       * and `statuspage` targets stop start-up.
       */
      external?: { [source: string]: { page?: string[]; ticket?: string[] } };
    };
    /** Reads objectives whose SLI has Prometheus queries. */
    prometheus?: {
      /** Used when the objective's DataSource gives no URL. */
      baseUrl?: string;
      /** Default 10000. */
      timeoutMs?: number;
      /** How far back the first read goes. Default 1440 (a day). */
      backfillMinutes?: number;
    };
    /** The privacy plugin's DSAR SLA SLI (events on `ops.sli`). */
    privacySli?: {
      /** Objectives fed, by id before `:region=…,type=…`, and the request types each takes. */
      objectives?: Array<{ baseId: string; types: string[] }>;
      /** Default EU, US, UK, APAC. */
      regions?: string[];
      /** How far back a first read-back goes, in minutes. Default 360. */
      backfillMinutes?: number;
    };
    /** Demo mode: every target is a demo sink, and demo traffic is written. */
    demo?: {
      enabled?: boolean;
      /** Service name → healthy | slow-burn | fast-burn | exhausted. */
      profiles?: { [service: string]: string };
    };
  };
}
