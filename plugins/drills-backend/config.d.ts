export interface Config {
  /** The DR drills plugin. */
  drills?: {
    /** Folder of runbook markdown files, relative to the backend's working directory. Default ../../runbooks. */
    runbooksDirectory?: string;
  };
}
