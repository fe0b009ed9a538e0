export interface Config {
  /** The privacy (DSAR) plugin. */
  privacy?: {
    sla?: {
      /** Internal SLA for exports, in hours. Default 24. */
      exportHours?: number;
      /** Internal SLA for erasures, in hours. Default 72. */
      deleteHours?: number;
    };
  };
}
