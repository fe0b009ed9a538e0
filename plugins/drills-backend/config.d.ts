export interface Config {
  /** The DR drills plugin. */
  drills?: {
    /** Folder of runbook markdown files, relative to the backend's working directory. Default ../../runbooks. */
    runbooksDirectory?: string;
    /** The monthly drill calendar: the first Tuesday of each month, rotating through the scenarios. */
    calendar?: {
      /** IANA timezone, e.g. "Europe/Berlin". Default "UTC". */
      timezone?: string;
      /** Local start time "HH:mm". Default "10:00". */
      startTime?: string;
      /** 1–1440. Default 120. */
      durationMinutes?: number;
      /** Scenario ids in rotation order, non-empty, unique. Default: the six scenarios. */
      rotation?: string[];
      /** "YYYY-MM": this month gets rotation[0]. Months before it have no drill. Default "2026-01". */
      rotationStart?: string;
    };
    /** Demo mode: accepts the committed demo audit key. */
    demo?: { enabled?: boolean };
  };
}
