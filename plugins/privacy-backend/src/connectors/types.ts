import type { Region } from '@internal/plugin-privacy-common';

/**
 * How a value of personal data is erased: the whole row is deleted, or a
 * column is set to NULL, to the SHA-256 of its value, or to `[redacted]`.
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
  /** Reads back after erasure: how many records still hold personal data of the subject. 0 is the proof. */
  countRemaining(subjectId: string): Promise<number>;
  close(): Promise<void>;
}
