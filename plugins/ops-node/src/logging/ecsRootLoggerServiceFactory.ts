import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import type { transport } from 'winston';
import { createOpsRootLogger } from './createOpsRootLogger';
import { opsLogTapServiceRef } from './logTap';

/** @public */
export interface EcsRootLoggerFactoryOptions {
  /** Where lines go. Default: the console. */
  transports?: transport[];
}

const withOptions = (options?: EcsRootLoggerFactoryOptions) =>
  createServiceFactory({
    service: coreServices.rootLogger,
    deps: { config: coreServices.rootConfig, tap: opsLogTapServiceRef },
    factory: ({ config, tap }) =>
      createOpsRootLogger({ config, transports: options?.transports, tap }),
  });

/**
 * Replaces Backstage's root logger: ECS JSON lines with
 * `ops.logging.format: ecs`, otherwise Backstage's own output. Every entry
 * also goes to the backend's `LogTap` (`opsLogTapServiceRef`).
 * `backend.add(ecsRootLoggerServiceFactory)` or, with options,
 * `backend.add(ecsRootLoggerServiceFactory({ transports }))`.
 *
 * @public
 */
export const ecsRootLoggerServiceFactory = Object.assign(
  withOptions,
  withOptions(),
);
