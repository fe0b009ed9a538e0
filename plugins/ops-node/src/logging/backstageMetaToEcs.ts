import { format } from 'winston';
import type { Logform } from 'winston';

/**
 * Moves the fields every Backstage log line carries onto ECS fields, so that
 * `ecsFormat()` does not emit a plain `service` string beside `service.name`:
 * `plugin` (or a `service` other than the root one, e.g. `rootHttpRouter`)
 * becomes `log.logger`; the root `service` itself is ECS `service.name`,
 * which `ecsFormat({ serviceName })` writes.
 */
export function backstageMetaToEcs(rootService: string): Logform.Format {
  return format(info => {
    const { plugin, service } = info;
    delete info.plugin;
    // A string is Backstage's logger name; an object is ECS `service.*`
    // (an audit event's), kept.
    if (typeof service === 'string') delete info.service;
    let logger: string | undefined;
    if (typeof plugin === 'string') logger = plugin;
    else if (typeof service === 'string' && service !== rootService) {
      logger = service;
    }
    if (logger) info['log.logger'] = logger;
    return info;
  })();
}
