import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { readQueueConfig } from './config';
import { QueueDriver, QueueOptions, createQueueDriver } from './queue';

/**
 * The queue driver and job options `ops.queue` asks for (validated; a wrong
 * value stops start-up naming the key), and whether this process runs workers.
 */
export function createConfiguredQueue(
  config: Config,
  logger: LoggerService,
): { driver: QueueDriver; options: QueueOptions; workers: boolean } {
  const queue = readQueueConfig(config);
  return {
    driver: createQueueDriver({
      driver: queue.driver,
      redisUrl: queue.redis?.url,
      prefix: queue.prefix,
      logger,
    }),
    options: {
      concurrency: queue.concurrency,
      attempts: queue.attempts,
      backoffMs: queue.backoffSeconds * 1000,
      rateLimit: {
        max: queue.rateLimit.max,
        durationMs: queue.rateLimit.durationSeconds * 1000,
      },
    },
    workers: queue.workers,
  };
}
