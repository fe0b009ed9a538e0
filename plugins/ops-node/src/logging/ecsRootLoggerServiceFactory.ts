import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import type { transport } from 'winston';
import { createOpsRootLogger } from './createOpsRootLogger';

/** @public */
export interface EcsRootLoggerFactoryOptions {
  /** Where lines go. Default: the console. */
  transports?: transport[];
}

const withOptions = (options?: EcsRootLoggerFactoryOptions) =>
  createServiceFactory({
    service: coreServices.rootLogger,
    deps: { config: coreServices.rootConfig },
    factory: ({ config }) =>
      createOpsRootLogger({ config, transports: options?.transports }),
  });

/**
 * Replaces Backstage's root logger: ECS JSON lines with
 * `ops.logging.format: ecs`, otherwise Backstage's own output.
 * `backend.add(ecsRootLoggerServiceFactory)` or, with options,
 * `backend.add(ecsRootLoggerServiceFactory({ transports }))`.
 *
 * @public
 */
export const ecsRootLoggerServiceFactory = Object.assign(
  withOptions,
  withOptions(),
);
