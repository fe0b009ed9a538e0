import type { Region } from '@internal/plugin-privacy-common';

/**
 * How a value of personal data is erased: the whole row is deleted, or a
 * column is set to NULL, to a keyed hash of its value (HMAC-SHA256 under a
 * random key made for one erasure and then discarded: never a plain SHA-256,
 * which a guess of the id or email would reproduce), or to `[redacted]`.
 */
export type ErasureStrategy = 'delete-row' | 'null' | 'hash' | 'redact';

/** The text a `redact` column is set to. */
export const REDACTED = '[redacted]';

/** One data source holding personal data, reached through a named connection. */
export interface DataSourceConnector {
  /** Config name of the connection, e.g. `checkout-eu`. */
  readonly connection: string;
  readonly region: Region;
  /** The subject's records, by table or collection. */
  exportSubject(subjectId: string): Promise<Record<string, unknown[]>>;
  eraseSubject(subjectId: string): Promise<{ affected: number }>;
  /**
   * Reads back after erasure: how many records still hold personal data of
   * the subject, looking in every declared column, not only the subject
   * key. 0 is the proof.
   */
  countRemaining(subjectId: string): Promise<number>;
  close(): Promise<void>;
}
