import { DAY_MS, MINUTE_MS } from '@internal/plugin-ops-common';
import type {
  Region,
  RequestType,
  SlaReport,
} from '@internal/plugin-privacy-common';
import type { RequestStore } from './requests/RequestStore';
import { computeSlaReport, computeSli } from './sla';

/** The rolling window of the SLA report. */
export const SLA_WINDOW_DAYS = 30;

/** `GET /metrics/sli`: good/total decisions of one request type over a window. */
export interface SliReading {
  type: RequestType;
  region?: Region;
  windowMinutes: number;
  windowStart: string;
  windowEnd: string;
  good: number;
  total: number;
}

/** SLA compliance and the SLI, read from request timestamps (the record). */
export class SlaService {
  constructor(
    private readonly deps: {
      store: Pick<RequestStore, 'slaInputsSince' | 'slaInputsDecidedIn'>;
      objective: number;
    },
  ) {}

  /** Compliance per type and region over the last SLA_WINDOW_DAYS. */
  async report(): Promise<SlaReport> {
    const now = new Date();
    const since = new Date(now.getTime() - SLA_WINDOW_DAYS * DAY_MS);
    return computeSlaReport(await this.deps.store.slaInputsSince(since), now, {
      windowDays: SLA_WINDOW_DAYS,
      objective: this.deps.objective,
    });
  }

  /** Requests of one type (and region) decided in the last `windowMinutes`. */
  async sli(query: {
    type: RequestType;
    region?: Region;
    windowMinutes: number;
  }): Promise<SliReading> {
    const end = new Date();
    const start = new Date(end.getTime() - query.windowMinutes * MINUTE_MS);
    const inputs = (
      await this.deps.store.slaInputsDecidedIn(start, end)
    ).filter(
      row =>
        row.type === query.type &&
        (!query.region || row.region === query.region),
    );
    return {
      ...query,
      windowStart: start.toISOString(),
      windowEnd: end.toISOString(),
      ...computeSli(inputs, { start, end }),
    };
  }
}
