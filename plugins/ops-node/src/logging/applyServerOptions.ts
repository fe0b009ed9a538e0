import type { LoggerService } from '@backstage/backend-plugin-api';
import { readDurationFromConfig } from '@backstage/config';
import type { Config } from '@backstage/config';
import type { Server } from 'node:http';
// A dependency of @backstage/config; not yet declared by this package.
import { durationToMilliseconds } from '@backstage/types';

const durationKeys = [
  'headersTimeout',
  'requestTimeout',
  'keepAliveTimeout',
  'timeout',
] as const;
const countKeys = ['maxHeadersCount', 'maxRequestsPerSocket'] as const;

/**
 * Applies `backend.server.*` to the HTTP server as Backstage's
 * `applyDefaults()` does (backend-defaults 0.19): durations as milliseconds
 * or duration strings/objects (a bad one is warned about and skipped), and
 * the two counts as numbers.
 */
export function applyServerOptions(
  server: Server,
  config: Config,
  logger: LoggerService,
): void {
  const serverConfig = config.getOptionalConfig('backend.server');
  if (!serverConfig) return;

  const readDuration = (key: string): number | undefined => {
    if (!serverConfig.has(key)) return undefined;
    const value = serverConfig.getOptional(key);
    if (typeof value === 'number') return value;
    try {
      return durationToMilliseconds(
        readDurationFromConfig(serverConfig, { key }),
      );
    } catch (error) {
      logger.warn(
        `Failed to parse backend.server.${key} as duration: ${error}. Expected a number (milliseconds), duration string (e.g., '30s'), ISO duration (e.g., 'PT30S'), or duration object (e.g., {seconds: 30}). Falling back to number parsing.`,
      );
      return undefined;
    }
  };

  for (const key of durationKeys) {
    const ms = readDuration(key);
    if (ms !== undefined) server[key] = ms;
  }
  for (const key of countKeys) {
    const count = serverConfig.getOptionalNumber(key);
    if (count !== undefined) server[key] = count;
  }
}
