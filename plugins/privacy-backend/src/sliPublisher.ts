import { REGIONS, REQUEST_TYPES } from '@internal/plugin-privacy-common';
import type { Region, RequestType } from '@internal/plugin-privacy-common';
import type { RequestStore } from './requests/RequestStore';
import { SlaInput, computeSli } from './sla';

/** The events topic the SLI counts are published on. */
export const SLI_TOPIC = 'ops.sli';

/** Minutes per published window; windows are aligned to multiples of it. */
export const SLI_WINDOW_MINUTES = 5;

/**
 * One SLI sample: of the requests of one type and region decided in
 * [windowStart, windowEnd) (completed, or reaching their SLA deadline
 * unfinished), how many were good (completed within their SLA). An SLO
 * engine sums consecutive windows into any longer one and computes burn
 * rates against `objective`.
 */
export interface SliSample {
  source: 'privacy';
  sli: 'dsar_completed_within_sla';
  type: RequestType;
  region: Region;
  good: number;
  total: number;
  objective: number;
  windowStart: string;
  windowEnd: string;
}

/** The samples of one window: every type and region, zeros included, so the series has no gaps. */
export function sliSamples(
  inputs: SlaInput[],
  window: { start: Date; end: Date },
  objective: number,
): SliSample[] {
  return REQUEST_TYPES.flatMap(type =>
    REGIONS.map(region => ({
      source: 'privacy' as const,
      sli: 'dsar_completed_within_sla' as const,
      type,
      region,
      ...computeSli(
        inputs.filter(r => r.type === type && r.region === region),
        window,
      ),
      objective,
      windowStart: window.start.toISOString(),
      windowEnd: window.end.toISOString(),
    })),
  );
}

/** The last whole window before `now`. */
export function lastWindow(now: Date): { start: Date; end: Date } {
  const size = SLI_WINDOW_MINUTES * 60_000;
  const end = new Date(Math.floor(now.getTime() / size) * size);
  return { start: new Date(end.getTime() - size), end };
}

/**
 * Pushes the last window's samples to the events service (topic `ops.sli`),
 * one event per type and region. Run every SLI_WINDOW_MINUTES by the
 * scheduler; a window missed while no backend ran can be read back from
 * `GET /metrics/sli`.
 */
export async function publishSli(deps: {
  store: RequestStore;
  events: {
    publish(params: { topic: string; eventPayload: unknown }): Promise<void>;
  };
  objective: number;
  now: Date;
}): Promise<SliSample[]> {
  const window = lastWindow(deps.now);
  const inputs = await deps.store.slaInputsDecidedIn(window.start, window.end);
  const samples = sliSamples(inputs, window, deps.objective);
  for (const sample of samples) {
    await deps.events.publish({ topic: SLI_TOPIC, eventPayload: sample });
  }
  return samples;
}
