import type { Knex } from 'knex';
import { PRIVACY_AUDIT_TABLES } from '../audit';
import { CONSENT_TABLE } from '../consent/ConsentLedger';

type Timestamp = Date | string | number;

/** How long one completed request took, with its type and region. */
export interface CompletionDuration {
  type: string;
  region: string;
  seconds: number;
}

/**
 * What the scrape-time gauges read about recent activity: completion times,
 * consent changes and audit events since a moment. Counts and durations
 * only: no subject hash, actor or record id leaves this store.
 */
export class ActivityStore {
  constructor(private readonly db: Knex) {}

  /** Requests completed since `since` and how long each took. */
  async completionDurations(since: Date): Promise<CompletionDuration[]> {
    const rows: Array<{
      type: string;
      region: string;
      created_at: Timestamp;
      completed_at: Timestamp;
    }> = await this.db('privacy_requests')
      .select('type', 'region', 'created_at', 'completed_at')
      .where('state', 'completed')
      .whereNotNull('completed_at')
      .where('completed_at', '>=', since);
    return rows.map(row => ({
      type: row.type,
      region: row.region,
      seconds:
        (new Date(row.completed_at).getTime() -
          new Date(row.created_at).getTime()) /
        1000,
    }));
  }

  /** Consent grants and withdrawals recorded since `since`, per purpose. */
  async consentChanges(
    since: Date,
  ): Promise<Array<{ purpose: string; granted: boolean; count: number }>> {
    const rows: Array<{
      purpose: string;
      granted: boolean | number;
      n: number | string;
    }> = await this.db(CONSENT_TABLE)
      .select('purpose', 'granted')
      .count({ n: '*' })
      .where('at', '>=', since)
      .groupBy('purpose', 'granted');
    return rows.map(row => ({
      purpose: row.purpose,
      granted: Boolean(row.granted),
      count: Number(row.n),
    }));
  }

  /** Events of the audit chain since `since`, per type (chained ones only). */
  async auditEvents(
    since: Date,
  ): Promise<Array<{ type: string; count: number }>> {
    const rows: Array<{ type: string; n: number | string }> = await this.db(
      PRIVACY_AUDIT_TABLES.events,
    )
      .select('type')
      .count({ n: '*' })
      .where('at', '>=', since)
      .groupBy('type');
    return rows.map(row => ({ type: row.type, count: Number(row.n) }));
  }
}
