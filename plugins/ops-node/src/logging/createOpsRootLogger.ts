import type { Config } from '@backstage/config';
import { createConfigSecretEnumerator } from '@backstage/backend-defaults/rootConfig';
import { WinstonLogger } from '@backstage/backend-defaults/rootLogger';
import { ecsFormat } from '@elastic/ecs-winston-format';
import { format, transports as winstonTransports } from 'winston';
import type { Logform, transport } from 'winston';
import { accessLogToEcs } from './accessLogToEcs';
import { backstageMetaToEcs } from './backstageMetaToEcs';
import { readBackendLoggerConfig, readLogFormat } from './loggingConfig';

/** @public */
export interface OpsRootLoggerOptions {
  config: Config;
  /** Where lines go. Default: the console, as Backstage's root logger. */
  transports?: transport[];
  /**
   * Lists the config values to redact. Default: Backstage's
   * `createConfigSecretEnumerator` (values marked `@visibility secret`).
   */
  secretEnumerator?: (config: Config) => Iterable<string>;
}

/** The winston format of ECS mode: Backstage fields, access lines, then `ecsFormat()`. */
export function opsEcsFormat(rootService: string): Logform.Format {
  return format.combine(
    backstageMetaToEcs(rootService),
    accessLogToEcs(),
    ecsFormat({ serviceName: rootService }),
  );
}

/**
 * Builds the root logger the way Backstage's `rootLoggerServiceFactory`
 * does (meta `service: backstage`, LOG_LEVEL or `backend.logger.level`,
 * secret redaction, level overrides, both following config changes); with
 * `ops.logging.format: ecs` its lines are ECS JSON.
 */
export async function createOpsRootLogger(
  options: OpsRootLoggerOptions,
): Promise<WinstonLogger> {
  const { config } = options;
  const logFormat = readLogFormat(config);
  const loggerConfig = readBackendLoggerConfig(config);
  const meta = { service: 'backstage', ...loggerConfig.meta };
  const logger = WinstonLogger.create({
    meta,
    level: process.env.LOG_LEVEL || loggerConfig.level || 'info',
    // undefined: WinstonLogger's default, the same one Backstage's factory passes.
    format:
      logFormat === 'ecs' ? opsEcsFormat(String(meta.service)) : undefined,
    transports: options.transports ?? [new winstonTransports.Console()],
  });

  const enumerate =
    options.secretEnumerator ??
    (await createConfigSecretEnumerator({ logger }));
  const redact = () => {
    const { redactAllowlist } = readBackendLoggerConfig(config);
    logger.addRedactions(
      [...enumerate(config)].filter(s => !redactAllowlist.has(s.trim())),
    );
  };
  redact();
  logger.setLevelOverrides(loggerConfig.overrides);
  config.subscribe?.(() => {
    redact();
    logger.setLevelOverrides(readBackendLoggerConfig(config).overrides);
  });
  return logger;
}
