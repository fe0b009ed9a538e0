import type { HttpRouterService } from '@backstage/backend-plugin-api';
import type { Router } from 'express';
import { Gauge, Registry } from 'prom-client';

/** One sample of a gauge: its labels and its value. */
export interface GaugeSample<L extends string> {
  labels: Record<L, string>;
  value: number;
}

/**
 * Registers a gauge on `registry` whose samples are computed when Prometheus
 * scrapes (from the database, the record, or the queue), never kept in
 * memory between scrapes: every figure is read from the source at once.
 */
export function addScrapeTimeGauge<L extends string>(
  registry: Registry,
  options: {
    name: string;
    help: string;
    labelNames: readonly L[];
    collect: () => Promise<Array<GaugeSample<L>>>;
  },
): Gauge<L> {
  const { collect } = options;
  return new Gauge<L>({
    name: options.name,
    help: options.help,
    labelNames: options.labelNames,
    registers: [registry],
    async collect() {
      const samples = await collect();
      this.reset();
      for (const sample of samples) {
        this.set(sample.labels as Partial<Record<L, string>>, sample.value);
      }
    },
  });
}

/**
 * Serves `registry` at `GET /metrics` in the Prometheus text format, without
 * a user token (Prometheus scrapes it); put only counts there, never personal
 * data.
 */
export function addMetricsRoute(
  router: Router,
  httpRouter: HttpRouterService,
  registry: Registry,
): void {
  httpRouter.addAuthPolicy({ path: '/metrics', allow: 'unauthenticated' });
  router.get('/metrics', async (_req, res, next) => {
    try {
      const text = await registry.metrics();
      res.type(registry.contentType).send(text);
    } catch (error) {
      next(error);
    }
  });
}
