import type { Config } from '@backstage/config';
import { createConfigSecretEnumerator } from '@backstage/backend-defaults/rootConfig';
import { WinstonLogger } from '@backstage/backend-defaults/rootLogger';
import { ecsFields, ecsStringify } from '@elastic/ecs-winston-format';
import { format, transports as winstonTransports } from 'winston';
import type { Logform, transport } from 'winston';
import { accessLogToEcs } from './accessLogToEcs';
import { auditorLogToEcs } from './auditorLogToEcs';
import { backstageMetaToEcs } from './backstageMetaToEcs';
import type { LogTap } from './logTap';
import { readBackendLoggerConfig, readLogFormat } from './loggingConfig';
import { nestedOverDotted } from './nestedOverDotted';

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
  /** Also receives every entry, after redaction and formatting. */
  tap?: LogTap;
}

/**
 * The winston format of ECS mode: auditor events, Backstage fields, access
 * lines, then `ecsFormat()` (its fields, the line's own nested fields
 * winning over its dotted defaults, then the JSON).
 */
export function opsEcsFormat(rootService: string): Logform.Format {
  return format.combine(
    auditorLogToEcs(),
    backstageMetaToEcs(rootService),
    accessLogToEcs(),
    ecsFields({ serviceName: rootService }),
    nestedOverDotted(),
    ecsStringify(),
  );
}

/** What Backstage's WinstonLogger writes when given no format (backend-defaults 0.19). */
function backstageDefaultFormat(): Logform.Format {
  return process.env.NODE_ENV === 'production'
    ? format.combine(format.timestamp(), format.json())
    : WinstonLogger.colorFormat();
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
  // Formats and redaction run per transport, not on the logger: the tap
  // then receives each entry as Backstage logged it (message and meta), in
  // every format, while the lines written are as Backstage's (or ECS).
  const redacter = WinstonLogger.redacter();
  const display = format.combine(
    logFormat === 'ecs'
      ? opsEcsFormat(String(meta.service))
      : backstageDefaultFormat(),
    redacter.format,
  );
  const outputs = options.transports ?? [new winstonTransports.Console()];
  for (const output of outputs) output.format ??= display;
  const logger = WinstonLogger.create({
    meta,
    level: process.env.LOG_LEVEL || loggerConfig.level || 'info',
    format: format(info => info)(),
    transports: [...outputs, ...(options.tap ? [options.tap.transport()] : [])],
  });

  const enumerate =
    options.secretEnumerator ??
    (await createConfigSecretEnumerator({ logger }));
  const redact = () => {
    const { redactAllowlist } = readBackendLoggerConfig(config);
    const secrets = [...enumerate(config)].filter(
      s => !redactAllowlist.has(s.trim()),
    );
    redacter.add(secrets);
    options.tap?.addRedactions(secrets);
  };
  redact();
  logger.setLevelOverrides(loggerConfig.overrides);
  config.subscribe?.(() => {
    redact();
    logger.setLevelOverrides(readBackendLoggerConfig(config).overrides);
  });
  return logger;
}
