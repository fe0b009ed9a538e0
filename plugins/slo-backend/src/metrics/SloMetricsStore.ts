import type { SloStatus } from '@internal/plugin-slo-common';
import type { Knex } from 'knex';
import type { Outbox } from '@internal/plugin-ops-node';
import { OBJECTIVES_TABLE } from '../objectives/ObjectiveStore';

/** The alerts table (`AlertStore`'s). */
const ALERTS_TABLE = 'slo_alerts';

/** An objective and its latest stored evaluation. */
export interface ObjectiveEvaluation {
  objective: string;
  service: string;
  target: number;
  /** The evaluation the live path last saved; null before the first. */
  status: SloStatus | null;
}

/** How many alerts of an objective fire, by severity. */
export interface FiringCount {
  objective: string;
  severity: string;
  count: number;
}

/** How many deliveries of one notification target wait in the outbox. */
export interface PendingCount {
  target: string;
  count: number;
}

/** What the SLO metrics read, each in one query. */
export interface SloMetricsSource {
  latestEvaluations(): Promise<ObjectiveEvaluation[]>;
  firingAlerts(): Promise<FiringCount[]>;
  pendingNotifications(): Promise<PendingCount[]>;
}

/**
 * Reads the figures of the SLO metrics from the plugin's tables: the latest
 * evaluation each objective stored (never evaluated again here), the firing
 * alert rows, and the outbox's pending deliveries by target.
 */
export class SloMetricsStore implements SloMetricsSource {
  constructor(
    private readonly db: Knex,
    private readonly outbox: Pick<Outbox, 'countByTarget'>,
  ) {}

  async latestEvaluations(): Promise<ObjectiveEvaluation[]> {
    const rows: Array<{
      id: string;
      service: string;
      target: number | string;
      status: string | null;
    }> = await this.db(OBJECTIVES_TABLE)
      .select('id', 'service', 'target', 'status')
      .orderBy('id');
    return rows.map(row => ({
      objective: row.id,
      service: row.service,
      target: Number(row.target),
      status: row.status ? (JSON.parse(row.status) as SloStatus) : null,
    }));
  }

  async firingAlerts(): Promise<FiringCount[]> {
    const rows: Array<{
      objective_ref: string;
      severity: string;
      count: number | string;
    }> = await this.db(ALERTS_TABLE)
      .where('state', 'firing')
      .groupBy('objective_ref', 'severity')
      .select('objective_ref', 'severity')
      .count({ count: '*' });
    return rows.map(row => ({
      objective: row.objective_ref,
      severity: row.severity,
      count: Number(row.count),
    }));
  }

  pendingNotifications(): Promise<PendingCount[]> {
    return this.outbox.countByTarget('pending');
  }
}
