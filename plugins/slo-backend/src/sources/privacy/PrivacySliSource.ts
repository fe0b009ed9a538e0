import type {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { EventsService } from '@backstage/plugin-events-node';
import type { Objective } from '@internal/plugin-slo-common';
import { z } from 'zod';
import type { MinuteCounts, ObjectiveExists, SampleStore } from '../../samples';
import { errorMessage, FetchFn, MINUTE_MS, SourceSyncSummary } from '../types';

/** The events topic the privacy plugin publishes its SLI samples on. */
export const PRIVACY_SLI_TOPIC = 'ops.sli';

/** The `sli` of the privacy plugin's samples. */
export const PRIVACY_SLI_NAME = 'dsar_completed_within_sla';

/** Label values, as fanOut.ts allows them. */
const LABEL_VALUE = /^[A-Za-z0-9_.-]+$/;

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const wholeMinute = z
  .string()
  .datetime({ offset: true })
  .refine(v => Date.parse(v) % MINUTE_MS === 0, 'must be a whole minute');

/**
 * A privacy `SliSample` (privacy-backend `sliPublisher.ts`): of the requests
 * of one type and region decided in [windowStart, windowEnd), `good` of
 * `total` met their SLA. Other fields (`objective`) are allowed and unused.
 */
export const privacySliSampleSchema = z
  .object({
    source: z.literal('privacy'),
    sli: z.literal(PRIVACY_SLI_NAME),
    type: z.string().regex(LABEL_VALUE),
    region: z.string().regex(LABEL_VALUE),
    good: count,
    total: count,
    windowStart: wholeMinute,
    windowEnd: wholeMinute,
  })
  .superRefine((s, ctx) => {
    if (s.good > s.total) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['good'],
        message: 'must not exceed total',
      });
    }
    const length = Date.parse(s.windowEnd) - Date.parse(s.windowStart);
    if (!(length > 0 && length <= 24 * 60 * MINUTE_MS)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['windowEnd'],
        message: 'must be after windowStart, by at most a day',
      });
    }
  });

export type PrivacySliSample = z.infer<typeof privacySliSampleSchema>;

/** What `GET /metrics/sli` of the privacy backend answers (its `SliReading`). */
const sliReadingSchema = z.object({
  type: z.string(),
  region: z.string().optional(),
  windowMinutes: z.number(),
  windowStart: z.string().datetime({ offset: true }),
  windowEnd: z.string().datetime({ offset: true }),
  good: count,
  total: count,
});

/** Which objective a (type, region) series feeds. */
export interface PrivacyObjectiveConfig {
  /**
   * The objective id before the label suffix: the SLO's `metadata.name`
   * (with `#<index>` if the SLO has several objectives), e.g. `privacy-sla`.
   */
  baseId: string;
  /**
   * The fan-out labels in the order of the SLO's `slo.ops.portal/fan-out-by`
   * annotation, each naming the sample field it takes its value from.
   * Default `region` then `type`, giving `privacy-sla:region=EU,type=export`.
   */
  labels?: Array<{ label: string; field: 'type' | 'region' }>;
}

const DEFAULT_LABELS: Array<{ label: string; field: 'type' | 'region' }> = [
  { label: 'region', field: 'region' },
  { label: 'type', field: 'type' },
];

/** The objective id of one series, formed exactly as the OpenSLO fan-out forms it. */
export function privacyObjectiveRef(
  config: PrivacyObjectiveConfig,
  series: { type: string; region: string },
): string {
  const labels = config.labels ?? DEFAULT_LABELS;
  return `${config.baseId}:${labels
    .map(({ label, field }) => `${label}=${series[field]}`)
    .join(',')}`;
}

export interface PrivacySliSourceOptions {
  store: SampleStore;
  logger: LoggerService;
  objectiveExists: ObjectiveExists;
  objective: PrivacyObjectiveConfig;
  /** The series `backfill` looks at, e.g. `['export', 'delete']` and `['EU', 'US', 'UK', 'APAC']`. */
  types: readonly string[];
  regions: readonly string[];
  /** The privacy backend's base URL, e.g. `discovery.getBaseUrl('privacy')`. */
  getBaseUrl: () => Promise<string>;
  /** A token the privacy backend accepts from this plugin. */
  getToken: () => Promise<string>;
  fetch?: FetchFn;
  /** Per HTTP request. Default 10 s. */
  timeoutMs?: number;
  /** The privacy plugin's SLI window. Default 5 minutes. */
  windowMinutes?: number;
  /** How far back the first backfill of a series looks. Default 1 day (at most 90 days). */
  backfillMinutes?: number;
  /** How far back later backfills look for missing windows. Default 1 hour. */
  recheckMinutes?: number;
  /** A window is read back once its event is this many windows late. Default 2. */
  graceWindows?: number;
}

/**
 * The privacy plugin's SLA SLI as minute buckets with source `privacy`.
 *
 * **Windows into minutes.** A sample of the window [s, e) is stored as the
 * minutes s, s+1m, ..., e−1m: the window's counts in its last minute e−1m,
 * 0/0 in the others, so the series has no gap, sums over any range of whole
 * windows are exact, and a window stored again (a repeated event, or an
 * event after its window was read back) replaces itself.
 *
 * **Read back.** `GET /metrics/sli?type&region&windowMinutes` answers the
 * counts of [serverNow − windowMinutes, serverNow). A window [s, e) is read
 * as C(s) − C(e), where C(b) is the reading with
 * `windowMinutes = ceil((now − b) / 1 min)`; so n adjacent missing windows
 * take n + 1 requests. The reading's start is `serverNow − windowMinutes`,
 * not b itself: when `now` is not a whole minute a window read back is
 * shifted by under a minute, and requests decided between two readings can
 * make a window off by them; an event for that window later replaces it
 * with exact counts.
 *
 * **When.** The first `backfill`/`syncAll` of a series reads back every
 * missing window of the last `backfillMinutes`; later ones read back the
 * windows of the last `recheckMinutes` that have no event for more than
 * `graceWindows` windows. A failed read stores nothing for that series and
 * is retried on the next call.
 */
export class PrivacySliSource {
  readonly #started = new Set<string>();

  constructor(private readonly options: PrivacySliSourceOptions) {
    const backfill = options.backfillMinutes ?? 24 * 60;
    if (!(backfill > 0 && backfill <= 90 * 24 * 60)) {
      throw new Error('backfillMinutes must be between 1 and 90 days');
    }
  }

  /**
   * Dependencies reading the privacy backend through Backstage discovery
   * with a service token of this plugin.
   */
  static privacyBackend(services: {
    discovery: DiscoveryService;
    auth: AuthService;
  }): Pick<PrivacySliSourceOptions, 'getBaseUrl' | 'getToken'> {
    return {
      getBaseUrl: () => services.discovery.getBaseUrl('privacy'),
      getToken: async () => {
        const { token } = await services.auth.getPluginRequestToken({
          onBehalfOf: await services.auth.getOwnServiceCredentials(),
          targetPluginId: 'privacy',
        });
        return token;
      },
    };
  }

  /** Subscribes {@link handleSliEvent} to the `ops.sli` topic. */
  async subscribe(events: EventsService): Promise<void> {
    await events.subscribe({
      id: 'slo-privacy-sli',
      topics: [PRIVACY_SLI_TOPIC],
      onEvent: async params => {
        try {
          await this.handleSliEvent(params.eventPayload);
        } catch (error) {
          // The window is read back by the next backfill.
          this.options.logger.warn(
            `Storing a privacy SLI sample failed: ${errorMessage(error)}`,
          );
        }
      },
    });
  }

  /**
   * Stores one `SliSample` event as minutes of its objective. Answers what
   * became of it; never throws for a bad sample (it is logged, by field
   * path only) and ignores samples of other SLIs on the topic.
   */
  async handleSliEvent(
    payload: unknown,
  ): Promise<'stored' | 'ignored' | 'invalid' | 'no-objective'> {
    if (typeof payload === 'object' && payload !== null) {
      const { source, sli } = payload as { source?: unknown; sli?: unknown };
      if (
        (source !== undefined && source !== 'privacy') ||
        (source === 'privacy' && sli !== undefined && sli !== PRIVACY_SLI_NAME)
      ) {
        return 'ignored'; // another SLI on the shared topic
      }
    }
    const parsed = privacySliSampleSchema.safeParse(payload);
    if (!parsed.success) {
      this.options.logger.warn(
        `Ignoring an invalid privacy SLI sample: ${parsed.error.issues
          .map(i => `${i.path.join('.') || '(sample)'}: ${i.message}`)
          .join('; ')}`,
      );
      return 'invalid';
    }
    const sample = parsed.data;
    const ref = privacyObjectiveRef(this.options.objective, sample);
    if (!(await this.options.objectiveExists(ref))) {
      this.options.logger.debug(
        `No objective ${ref} for a privacy SLI sample; not stored`,
      );
      return 'no-objective';
    }
    await this.options.store.upsertMinutes(
      ref,
      windowMinutes(
        Date.parse(sample.windowStart),
        Date.parse(sample.windowEnd),
        sample,
      ),
      'privacy',
    );
    return 'stored';
  }

  /** Reads back the missing windows of every configured series whose objective exists. */
  async backfill(now: Date): Promise<SourceSyncSummary[]> {
    const summaries: SourceSyncSummary[] = [];
    for (const type of this.options.types) {
      for (const region of this.options.regions) {
        const ref = privacyObjectiveRef(this.options.objective, {
          type,
          region,
        });
        let exists: boolean;
        try {
          exists = await this.options.objectiveExists(ref);
        } catch (error) {
          summaries.push({
            objectiveRef: ref,
            stored: 0,
            error: errorMessage(error),
          });
          continue;
        }
        if (exists) {
          summaries.push(await this.#syncSeries({ ref, type, region }, now));
        }
      }
    }
    return summaries;
  }

  /**
   * Reads back the missing windows of the privacy objectives among
   * `objectives` (those whose id is the configured base id with the fan-out
   * labels); the others are left out.
   */
  async syncAll(
    objectives: readonly Objective[],
    now: Date,
  ): Promise<SourceSyncSummary[]> {
    const labels = this.options.objective.labels ?? DEFAULT_LABELS;
    const summaries: SourceSyncSummary[] = [];
    for (const objective of objectives) {
      const value = (field: 'type' | 'region') =>
        objective.labels[labels.find(l => l.field === field)?.label ?? ''];
      const type = value('type');
      const region = value('region');
      if (type === undefined || region === undefined) continue;
      if (
        privacyObjectiveRef(this.options.objective, { type, region }) !==
        objective.id
      ) {
        continue;
      }
      summaries.push(
        await this.#syncSeries({ ref: objective.id, type, region }, now),
      );
    }
    return summaries;
  }

  async #syncSeries(
    series: { ref: string; type: string; region: string },
    now: Date,
  ): Promise<SourceSyncSummary> {
    const summary: SourceSyncSummary = { objectiveRef: series.ref, stored: 0 };
    try {
      const window = (this.options.windowMinutes ?? 5) * MINUTE_MS;
      const to = Math.floor(now.getTime() / window) * window;
      const first = !this.#started.has(series.ref);
      const lookback = first
        ? this.options.backfillMinutes ?? 24 * 60
        : this.options.recheckMinutes ?? 60;
      const from = Math.floor((to - lookback * MINUTE_MS) / window) * window;
      const overdueBy = to - (this.options.graceWindows ?? 2) * window;

      const stored = new Set(
        (
          await this.options.store.readRange(
            series.ref,
            new Date(from),
            new Date(to - MINUTE_MS),
          )
        ).map(m => Date.parse(m.minute)),
      );
      const missing: number[] = [];
      for (let start = from; start < to; start += window) {
        const end = start + window;
        if (stored.has(end - MINUTE_MS)) continue;
        if (first || end <= overdueBy) missing.push(start);
      }

      if (missing.length > 0) {
        const readings = new Map<number, { good: number; total: number }>();
        for (const start of missing) {
          for (const boundary of [start, start + window]) {
            if (!readings.has(boundary)) {
              readings.set(
                boundary,
                await this.#readSince(series, boundary, now),
              );
            }
          }
        }
        const minutes = missing.flatMap(start => {
          const since = readings.get(start)!;
          const after = readings.get(start + window)!;
          const total = Math.max(0, since.total - after.total);
          const good = Math.min(total, Math.max(0, since.good - after.good));
          return windowMinutes(start, start + window, { good, total });
        });
        await this.options.store.upsertMinutes(series.ref, minutes, 'privacy');
        summary.stored = minutes.length;
        summary.firstMinute = minutes[0].minute.toISOString();
        summary.lastMinute = minutes[minutes.length - 1].minute.toISOString();
      }
      this.#started.add(series.ref);
    } catch (error) {
      summary.error = errorMessage(error);
      this.options.logger.warn(
        `Reading back the privacy SLI failed for objective ${series.ref}: ${summary.error}`,
      );
    }
    return summary;
  }

  /** The privacy counts of [about `boundary`, now) for one series. */
  async #readSince(
    series: { type: string; region: string },
    boundary: number,
    now: Date,
  ): Promise<{ good: number; total: number }> {
    const minutes = Math.ceil((now.getTime() - boundary) / MINUTE_MS);
    if (minutes <= 0) return { good: 0, total: 0 };
    const base = await this.options.getBaseUrl();
    const url = new URL('metrics/sli', base.endsWith('/') ? base : `${base}/`);
    url.searchParams.set('type', series.type);
    url.searchParams.set('region', series.region);
    url.searchParams.set('windowMinutes', String(minutes));
    const token = await this.options.getToken();
    const doFetch = this.options.fetch ?? fetch;
    const response = await doFetch(url.toString(), {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    if (!response.ok) {
      throw new Error(
        `privacy backend answered HTTP ${response.status} to GET /metrics/sli`,
      );
    }
    const reading = sliReadingSchema.safeParse(await response.json());
    if (
      !reading.success ||
      reading.data.type !== series.type ||
      reading.data.region !== series.region ||
      reading.data.good > reading.data.total
    ) {
      throw new Error(
        'privacy backend answered GET /metrics/sli with an unexpected body',
      );
    }
    return { good: reading.data.good, total: reading.data.total };
  }
}

/** The minutes of [start, end): the counts in the last one, 0/0 in the others. */
function windowMinutes(
  start: number,
  end: number,
  counts: { good: number; total: number },
): MinuteCounts[] {
  const minutes: MinuteCounts[] = [];
  for (let m = start; m < end; m += MINUTE_MS) {
    const last = m + MINUTE_MS >= end;
    minutes.push({
      minute: new Date(m),
      good: last ? counts.good : 0,
      total: last ? counts.total : 0,
    });
  }
  return minutes;
}
