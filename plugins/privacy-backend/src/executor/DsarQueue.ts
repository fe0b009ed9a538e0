import type { LoggerService } from '@backstage/backend-plugin-api';
import type { JobQueue } from '@internal/plugin-ops-node';
import type { ExecutorTransitions } from '../requests/ExecutorTransitions';
import type { RequestDispatcher } from '../requests/RequestService';
import { IN_FLIGHT_STATES, type RequestStore } from '../requests/RequestStore';
import type { Executor } from './Executor';

export interface DsarJob {
  requestId: string;
}

/**
 * Moves DSAR requests through the job queue. The database is the record: the
 * job carries only the request id, and `reconcile` re-queues every request
 * whose row says it should be on the queue but whose job vanished (Redis
 * flushed, a process killed with the in-process queue).
 */
export class DsarQueue implements RequestDispatcher {
  constructor(
    private readonly queue: JobQueue<DsarJob>,
    private readonly logger: LoggerService,
  ) {}

  async dispatch(request: { id: string; priority: number }): Promise<void> {
    await this.queue.add({
      id: request.id,
      name: 'dsar',
      data: { requestId: request.id },
      priority: request.priority,
    });
  }

  /** Starts consuming: each job runs the executor; failures are recorded, then retried by the queue. */
  startWorkers(executor: Executor, transitions: ExecutorTransitions) {
    this.queue.process(async job => {
      try {
        await executor.run(job.data.requestId);
      } catch (error) {
        await transitions.fail(job.data.requestId, error as Error);
        throw error;
      }
    });
    this.queue.onDeadLetter(async (job, error) => {
      this.logger.warn(
        `DSAR request ${job.data.requestId} dead-lettered after ${job.attempt} attempts`,
      );
      await transitions.deadLetter(job.data.requestId, error);
    });
  }

  /** Re-queues requests in flight whose job is gone. Returns how many. */
  async reconcile(store: RequestStore): Promise<number> {
    let restored = 0;
    for (const request of await store.inFlight()) {
      if (await this.queue.has(request.id)) continue;
      // The list is a snapshot: a request may have finished, and its job been
      // removed, since it was read. The row is updated before the job ends, so
      // reading it again after `has` answers whether it is still in flight.
      const current = await store.get(request.id);
      if (!current || !IN_FLIGHT_STATES.has(current.state)) continue;
      await this.dispatch(request);
      restored += 1;
    }
    if (restored)
      this.logger.info(
        `Reconciler re-queued ${restored} DSAR requests whose job had vanished`,
      );
    return restored;
  }

  counts() {
    return this.queue.counts();
  }

  close() {
    return this.queue.close();
  }
}
