import type {
  CollectorRun,
  CollectorRunState,
  CollectorTrigger,
} from '@internal/plugin-evidence-common';
import { Page, PageQuery, readPage } from '@internal/plugin-ops-node';
import type { Knex } from 'knex';
import { iso, isoOrNull } from './rows';

/** The collector runs table (the metrics count it too). */
export const RUNS = 'evidence_collector_runs';

/** A run's log is kept whole up to this many characters; the rest is cut with a note. */
export const MAX_LOG_CHARS = 200_000;

interface RunRow {
  id: string;
  collector: string;
  trigger: CollectorTrigger;
  entity_ref: string | null;
  requested_by: string;
  state: CollectorRunState;
  started_at: Date | string | number;
  finished_at: Date | string | number | null;
  item_count: number;
  error: string | null;
  log: string;
}

function toRun(row: RunRow, withLog: boolean): CollectorRun {
  return {
    id: row.id,
    collector: row.collector,
    trigger: row.trigger,
    entityRef: row.entity_ref,
    requestedBy: row.requested_by,
    state: row.state,
    startedAt: iso(row.started_at),
    finishedAt: isoOrNull(row.finished_at),
    itemCount: Number(row.item_count),
    error: row.error,
    ...(withLog ? { log: row.log } : {}),
  };
}

/** Collector runs: started, then finished once with their log. */
export class RunStore {
  constructor(private readonly db: Knex) {}

  async start(run: {
    id: string;
    collector: string;
    trigger: CollectorTrigger;
    entityRef: string | null;
    requestedBy: string;
    startedAt: Date;
  }): Promise<CollectorRun> {
    const row: RunRow = {
      id: run.id,
      collector: run.collector,
      trigger: run.trigger,
      entity_ref: run.entityRef,
      requested_by: run.requestedBy,
      state: 'running',
      started_at: run.startedAt,
      finished_at: null,
      item_count: 0,
      error: null,
      log: '',
    };
    await this.db(RUNS).insert(row);
    return toRun(row, false);
  }

  async finish(
    id: string,
    outcome: {
      state: 'succeeded' | 'failed';
      finishedAt: Date;
      itemCount: number;
      error: string | null;
      log: string;
    },
  ): Promise<void> {
    const log =
      outcome.log.length > MAX_LOG_CHARS
        ? `${outcome.log.slice(
            0,
            MAX_LOG_CHARS,
          )}\n[log cut at ${MAX_LOG_CHARS} characters]`
        : outcome.log;
    await this.db(RUNS).where({ id, state: 'running' }).update({
      state: outcome.state,
      finished_at: outcome.finishedAt,
      item_count: outcome.itemCount,
      error: outcome.error,
      log,
    });
  }

  /** Saves the log so far, so a run whose process dies keeps what it logged. */
  async saveLog(id: string, log: string): Promise<void> {
    await this.db(RUNS)
      .where({ id, state: 'running' })
      .update({ log: log.slice(0, MAX_LOG_CHARS) });
  }

  async get(id: string): Promise<CollectorRun | undefined> {
    const row = await this.db<RunRow>(RUNS).where({ id }).first();
    return row && toRun(row, true);
  }

  async list(
    filter: { collector?: string; state?: CollectorRunState },
    page: PageQuery,
  ): Promise<Page<CollectorRun>> {
    const query = this.db<RunRow>(RUNS);
    if (filter.collector) query.where('collector', filter.collector);
    if (filter.state) query.where('state', filter.state);
    return readPage<RunRow, CollectorRun>(query, page, {
      orderBy: [
        { column: 'started_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ],
      toItem: row => toRun(row, false),
    });
  }

  /** The newest run of each collector. */
  async latestPerCollector(): Promise<Map<string, CollectorRun>> {
    const newest = this.db(RUNS)
      .select('collector')
      .max({ started_at: 'started_at' })
      .groupBy('collector')
      .as('newest');
    const rows: RunRow[] = await this.db<RunRow>(`${RUNS} as r`)
      .join(newest, function joinNewest() {
        this.on('r.collector', '=', 'newest.collector').andOn(
          'r.started_at',
          '=',
          'newest.started_at',
        );
      })
      .select('r.*');
    return new Map(rows.map(row => [row.collector, toRun(row, false)]));
  }

  /**
   * Runs left `running` by a process that died: marked failed at start-up,
   * with a line saying so. Returns how many.
   */
  async failAbandoned(now: Date, olderThan: Date): Promise<number> {
    return this.db(RUNS)
      .where({ state: 'running' })
      .andWhere('started_at', '<', olderThan)
      .update({
        state: 'failed',
        finished_at: now,
        error: 'the backend stopped during the run',
      });
  }
}
