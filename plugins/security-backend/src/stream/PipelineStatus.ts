import type {
  SecurityPipelineStats,
  SecurityRuleInfo,
} from '@internal/plugin-security-common';
import type { LivePipeline } from '../pipeline';
import type { Detector } from './Detector';
import type { EventStream } from './EventStream';

/**
 * What the /pipeline and /rules routes and the metrics show: this process's
 * tap counters, the shared stream's lag and the detector's last turn.
 */
export class PipelineStatus {
  constructor(
    private readonly pipeline: Pick<LivePipeline, 'stats' | 'queued'>,
    private readonly detector: Pick<Detector, 'rules' | 'late' | 'alerts'>,
    private readonly stream: Pick<EventStream, 'cursor' | 'lag'>,
  ) {}

  async stats(): Promise<SecurityPipelineStats> {
    const [cursor, streamLag] = await Promise.all([
      this.stream.cursor(),
      this.stream.lag(),
    ]);
    return {
      ...this.pipeline.stats(),
      streamLag,
      ...(cursor.runAt && { detectorRunAt: cursor.runAt.toISOString() }),
      late: this.detector.late,
      alerts: this.detector.alerts,
    };
  }

  rules(): SecurityRuleInfo[] {
    return this.detector.rules();
  }

  /** Entries waiting in this process's queue now. */
  get queued(): number {
    return this.pipeline.queued;
  }
}
