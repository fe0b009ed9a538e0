import { BullMQQueueDriver } from './BullMQQueueDriver';
import { InProcessQueueDriver } from './InProcessQueueDriver';
import type { QueueDriver, QueueLogger } from './types';

export * from './types';
export { InProcessQueueDriver } from './InProcessQueueDriver';
export {
  BullMQQueueDriver,
  toBullMQPriority,
  type BullMQQueueDriverOptions,
} from './BullMQQueueDriver';

export interface CreateQueueDriverOptions {
  driver: 'memory' | 'bullmq';
  /** Required for 'bullmq'. */
  redisUrl?: string;
  /** Redis key prefix for 'bullmq'. */
  prefix?: string;
  logger?: QueueLogger;
}

export function createQueueDriver(
  options: CreateQueueDriverOptions,
): QueueDriver {
  const { driver, redisUrl, prefix, logger } = options;
  if (driver === 'memory') {
    return new InProcessQueueDriver({ logger });
  }
  if (driver === 'bullmq') {
    if (!redisUrl) {
      throw new Error("The 'bullmq' queue driver requires a redisUrl");
    }
    return new BullMQQueueDriver({ connection: redisUrl, prefix, logger });
  }
  throw new Error(`Unknown queue driver '${driver}'`);
}
