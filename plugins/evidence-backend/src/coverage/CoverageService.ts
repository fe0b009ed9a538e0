import type {
  CoverageReport,
  Criterion,
} from '@internal/plugin-evidence-common';
import { computeCoverage } from './computeCoverage';
import type { CollectorRunner } from '../collectors/CollectorRunner';
import type { ExceptionStore } from '../store/ExceptionStore';
import type { ItemStore } from '../store/ItemStore';

/** Coverage of every point, from evidence and exception rows as they are now. */
export class CoverageService {
  constructor(
    private readonly options: {
      criteria: Criterion[];
      items: ItemStore;
      exceptions: ExceptionStore;
      collectors: CollectorRunner;
      clock?: () => Date;
    },
  ) {}

  criteria(): Criterion[] {
    return this.options.criteria;
  }

  async report(): Promise<CoverageReport> {
    const now = this.options.clock?.() ?? new Date();
    const [newest, stats, exceptions] = await Promise.all([
      this.options.items.newestPerPointAndCadence(),
      this.options.items.pointStats(),
      this.options.exceptions.active(now),
    ]);
    return computeCoverage({
      criteria: this.options.criteria,
      newest,
      stats,
      exceptions,
      collectorsByPoint: this.options.collectors.collectorsByPoint(),
      now,
    });
  }
}
