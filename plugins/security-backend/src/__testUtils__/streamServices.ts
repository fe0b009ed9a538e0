import type { LogTap } from '@internal/plugin-ops-node';
import { seedRules, type SecurityAlert } from '@internal/plugin-security-node';
import type { Knex } from 'knex';
import { LivePipeline } from '../pipeline';
import { Detector, EventStream, type StoreAlert } from '../stream';
import { liveLog } from './liveLog';
import { ManualTimer } from './manualTimer';

export const TEST_RULES = seedRules({ timezone: 'Europe/Berlin' });

/** One replica's side: a real logger and LogTap feeding a pipeline into the shared stream. */
export async function replica(
  knex: Knex,
  options: { now: () => Date; maxQueued?: number },
) {
  const log = await liveLog();
  const stream = new EventStream(knex);
  const timer = new ManualTimer();
  const warnings = { warn: jest.fn(), info: jest.fn() };
  const pipeline = new LivePipeline({
    tap: log.tap as LogTap,
    rules: TEST_RULES,
    now: options.now,
    maxQueued: options.maxQueued,
    retryTimer: timer.timer,
    logger: warnings,
    append: documents => stream.append(documents),
  });
  pipeline.start();
  return { ...log, stream, timer, warnings, pipeline };
}

/** A detector on the shared stream; alerts go to `storeAlert` or are collected. */
export function detector(
  knex: Knex,
  options: { now: () => Date; storeAlert?: StoreAlert },
) {
  const alerts: SecurityAlert[] = [];
  const instance = new Detector({
    stream: new EventStream(knex),
    rules: TEST_RULES,
    now: options.now,
    storeAlert:
      options.storeAlert ??
      (async alert => {
        alerts.push(alert);
      }),
  });
  return { detector: instance, alerts };
}
