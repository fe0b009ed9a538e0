/** One minute in milliseconds. */
export const MINUTE_MS = 60_000;

/** What one sync of one objective did, for the scheduler's log and status. */
export interface SourceSyncSummary {
  objectiveRef: string;
  /** How many minutes were written (gaps are not written). */
  stored: number;
  /** First and last minute written, ISO UTC; absent when nothing was written. */
  firstMinute?: string;
  lastMinute?: string;
  /** Why the sync stopped early or did nothing; absent when it succeeded. */
  error?: string;
}

/** The subset of `fetch` the sources use; tests may pass a wrapper. */
export type FetchFn = (
  url: string,
  init?: { headers?: Record<string, string>; signal?: AbortSignal },
) => Promise<Response>;

/** The start of the minute `date` falls in. */
export function floorMinute(date: Date): Date {
  return new Date(Math.floor(date.getTime() / MINUTE_MS) * MINUTE_MS);
}

/**
 * The message of an unknown thrown value, without a stack. (An abort of
 * `fetch` is a DOMException, which need not be an `Error` of this realm.)
 */
export function errorMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const { name, message, cause } = error as {
      name?: unknown;
      message: unknown;
      cause?: unknown;
    };
    if (name === 'TimeoutError' || name === 'AbortError') {
      return `timed out (${String(message)})`;
    }
    return cause
      ? `${String(message)}: ${errorMessage(cause)}`
      : String(message);
  }
  return String(error);
}
