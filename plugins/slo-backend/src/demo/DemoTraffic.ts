import type { LoggerService } from '@backstage/backend-plugin-api';
import { MINUTE_MS } from '../engine';
import type { ObjectiveStore } from '../objectives/ObjectiveStore';
import type { SampleStore } from '../samples/SampleStore';
import { DemoProfile, demoMinute } from './trafficShapes';

/** Days of history the demo starts with. */
const HISTORY_DAYS = 7;

/**
 * Demo mode only: writes per-minute counts for the objectives of services
 * named in `slo.demo.profiles`, the last week at start and each new minute
 * after, so the portal shows healthy, slowly and fast burning and exhausted
 * objectives without a Prometheus. The minutes are stored as pushed ones.
 */
export class DemoTraffic {
  private readonly startedAt: number;

  constructor(
    private readonly options: {
      profiles: Record<string, DemoProfile>;
      objectives: Pick<ObjectiveStore, 'all'>;
      samples: SampleStore;
      logger: LoggerService;
      now?: () => Date;
    },
  ) {
    this.startedAt = this.now();
  }

  private now(): number {
    const ms = (this.options.now?.() ?? new Date()).getTime();
    return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
  }

  /** Fills every demo objective's minutes up to the last whole minute. */
  async feed(): Promise<number> {
    const through = this.now() - MINUTE_MS;
    let written = 0;
    for (const stored of await this.options.objectives.all()) {
      const profile = this.options.profiles[stored.objective.service];
      if (!profile || stored.objective.indicator.source === 'push') continue;
      const ref = stored.objective.id;
      const latest = await this.options.samples.latestMinute(ref);
      const from = latest
        ? latest.getTime() + MINUTE_MS
        : through - (HISTORY_DAYS * 1440 - 1) * MINUTE_MS;
      const minutes = [];
      for (let m = from; m <= through; m += MINUTE_MS) {
        minutes.push({
          minute: new Date(m),
          ...demoMinute(profile, m, this.startedAt, stored.objective.target),
        });
      }
      written += await this.options.samples.upsertMinutes(ref, minutes, 'push');
    }
    if (written > 0) {
      this.options.logger.debug(`SLO demo traffic: ${written} minutes written`);
    }
    return written;
  }
}
