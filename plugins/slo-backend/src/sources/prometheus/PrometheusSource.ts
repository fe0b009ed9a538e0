import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  Objective,
  PrometheusSource as PrometheusIndicatorSource,
} from '@internal/plugin-slo-common';
import type { MinuteCounts, SampleStore } from '../../samples';
import {
  errorMessage,
  FetchFn,
  floorMinute,
  MINUTE_MS,
  SourceSyncSummary,
} from '../types';
import { PrometheusClient, PROMETHEUS_MAX_POINTS } from './PrometheusClient';

/** What `{{window}}` becomes: the rate over one minute. */
export const RATE_WINDOW = '1m';

export interface PrometheusSourceOptions {
  store: SampleStore;
  logger: LoggerService;
  /**
   * Prometheus to ask when the objective's OpenSLO `DataSource` gives no
   * `connectionDetails.url`, e.g. `http://prometheus:9090`.
   */
  baseUrl?: string;
  fetch?: FetchFn;
  /** Per HTTP request. Default 10 s. */
  timeoutMs?: number;
  /** How far back the first sync of an objective reads. Default 1 day. */
  backfillMinutes?: number;
  /**
   * The most a sync reads, however old the latest stored minute: a longer
   * outage leaves its oldest minutes as a gap. Default 7 days.
   */
  maxCatchUpMinutes?: number;
  /** Minutes per query_range request, under Prometheus's 11,000 points. Default 10,000. */
  minutesPerQuery?: number;
}

/**
 * Reads the SLI minutes of objectives whose indicator is a Prometheus ratio
 * and stores them with source `prometheus`.
 *
 * **Which minute a point belongs to.** `{{window}}` becomes `1m`, and a
 * query is evaluated at whole minutes (`step=60s`). The point at time `T`
 * is the per-second rate over the minute ending at `T`, so it is stored,
 * times 60 and rounded, in the minute bucket `T − 60 s`: the bucket `m`
 * holds the events of `[m, m + 60 s)`, as a pushed minute `m` does. The
 * last whole minute before `now` is therefore read from the point at
 * `floor(now)`.
 *
 * **Counts.** `good`/`total` as queried, or `good = total − bad`, rounded
 * and kept within `0 ≤ good ≤ total`. Results with several series are
 * summed per time. A minute where the total query has no point is a gap:
 * nothing is stored. Where the total has a point but the good (or bad)
 * query has none, that query is taken as 0 (a `sum` over no matching
 * series, e.g. no 5xx at all, answers nothing). A total of 0 is stored as
 * 0/0.
 *
 * **Incremental.** Each sync reads the minutes after the latest stored one
 * (or the last `backfillMinutes` on the first sync) up to the last whole
 * minute, in chunks of `minutesPerQuery`, storing each chunk before
 * reading the next. When Prometheus fails, the chunk is not stored and the
 * sync stops with an error; the next one starts again after the latest
 * stored minute, so the minutes missed are read back.
 *
 * Threshold SLIs (`{ query }`) are not supported: their sync answers an error.
 */
export class PrometheusSource {
  readonly #client: PrometheusClient;

  constructor(private readonly options: PrometheusSourceOptions) {
    this.#client = new PrometheusClient({
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
    });
    const perQuery = options.minutesPerQuery ?? 10_000;
    if (!(perQuery >= 1 && perQuery < PROMETHEUS_MAX_POINTS)) {
      throw new Error(
        `minutesPerQuery must be between 1 and ${PROMETHEUS_MAX_POINTS - 1}`,
      );
    }
  }

  /** Whether this source reads `objective`'s SLI. */
  static handles(objective: Objective): boolean {
    return (
      objective.indicator.source !== 'push' &&
      objective.indicator.source.type === 'prometheus'
    );
  }

  /**
   * Syncs every Prometheus objective of `objectives`, one after the other;
   * objectives fed otherwise are left out. Never throws for one objective:
   * its error is in its summary (and logged).
   */
  async syncAll(
    objectives: readonly Objective[],
    now: Date,
  ): Promise<SourceSyncSummary[]> {
    const summaries: SourceSyncSummary[] = [];
    for (const objective of objectives) {
      if (!PrometheusSource.handles(objective)) continue;
      summaries.push(await this.syncObjective(objective, now));
    }
    return summaries;
  }

  /** Reads and stores the minutes of one objective not yet stored. */
  async syncObjective(
    objective: Objective,
    now: Date,
  ): Promise<SourceSyncSummary> {
    const summary: SourceSyncSummary = {
      objectiveRef: objective.id,
      stored: 0,
    };
    try {
      const source = objective.indicator.source;
      if (source === 'push' || source.type !== 'prometheus') {
        throw new Error('its indicator is not read from Prometheus');
      }
      const queries = ratioQueries(source);
      const baseUrl = this.#baseUrlOf(source);

      const lastMinute = floorMinute(now).getTime() - MINUTE_MS;
      const latest = await this.options.store.latestMinute(objective.id);
      const backfill = this.options.backfillMinutes ?? 24 * 60;
      const catchUp = this.options.maxCatchUpMinutes ?? 7 * 24 * 60;
      let from = latest
        ? latest.getTime() + MINUTE_MS
        : lastMinute - (backfill - 1) * MINUTE_MS;
      from = Math.max(from, lastMinute - (catchUp - 1) * MINUTE_MS);

      const perQuery = this.options.minutesPerQuery ?? 10_000;
      for (
        let chunk = from;
        chunk <= lastMinute;
        chunk += perQuery * MINUTE_MS
      ) {
        const chunkLast = Math.min(
          lastMinute,
          chunk + (perQuery - 1) * MINUTE_MS,
        );
        const minutes = await this.#readMinutes(
          baseUrl,
          queries,
          chunk,
          chunkLast,
        );
        if (minutes.length === 0) continue;
        await this.options.store.upsertMinutes(
          objective.id,
          minutes,
          'prometheus',
        );
        summary.stored += minutes.length;
        summary.firstMinute ??= minutes[0].minute.toISOString();
        summary.lastMinute = minutes[minutes.length - 1].minute.toISOString();
      }
    } catch (error) {
      summary.error = errorMessage(error);
      this.options.logger.warn(
        `SLI sync from Prometheus failed for objective ${objective.id}: ${summary.error}`,
      );
    }
    return summary;
  }

  /** The minute buckets [first, last] (epoch ms of minute starts) that have a total. */
  async #readMinutes(
    baseUrl: string,
    queries: RatioQueries,
    first: number,
    last: number,
  ): Promise<MinuteCounts[]> {
    // The point at T covers the minute ending at T: bucket T - 60 s.
    const range = {
      start: new Date(first + MINUTE_MS),
      end: new Date(last + MINUTE_MS),
      stepSeconds: 60,
    };
    const withWindow = (q: string) => q.replaceAll('{{window}}', RATE_WINDOW);
    const totals = await this.#client.queryRange(
      baseUrl,
      withWindow(queries.total),
      range,
    );
    const others = await this.#client.queryRange(
      baseUrl,
      withWindow(queries.kind === 'good' ? queries.good : queries.bad),
      range,
    );
    const minutes: MinuteCounts[] = [];
    for (
      let at = range.start.getTime();
      at <= range.end.getTime();
      at += MINUTE_MS
    ) {
      const totalRate = totals.get(at);
      if (totalRate === undefined) continue; // a gap
      const total = Math.max(0, Math.round(totalRate * 60));
      const other = Math.max(0, Math.round((others.get(at) ?? 0) * 60));
      const good = queries.kind === 'good' ? other : total - other;
      minutes.push({
        minute: new Date(at - MINUTE_MS),
        good: Math.min(total, Math.max(0, good)),
        total,
      });
    }
    return minutes;
  }

  #baseUrlOf(source: PrometheusIndicatorSource): string {
    const url = source.dataSource?.connectionDetails?.url;
    if (typeof url === 'string' && url) return url;
    if (this.options.baseUrl) return this.options.baseUrl;
    throw new Error(
      'no Prometheus URL: give the DataSource a connectionDetails.url or configure a default',
    );
  }
}

type RatioQueries =
  | { kind: 'good'; good: string; total: string }
  | { kind: 'bad'; bad: string; total: string };

function ratioQueries(source: PrometheusIndicatorSource): RatioQueries {
  if ('good' in source) {
    return { kind: 'good', good: source.good, total: source.total };
  }
  if ('bad' in source) {
    return { kind: 'bad', bad: source.bad, total: source.total };
  }
  throw new Error(
    'threshold SLIs (a single query) are not supported by the Prometheus source yet',
  );
}
