import { ConfigReader } from '@backstage/config';
import {
  auditEventToEcs,
  createOpsRootLogger,
  LogTap,
} from '@internal/plugin-ops-node';
import { Writable } from 'node:stream';
import { transports } from 'winston';

/**
 * The backend's real root logger (ops-node's, text mode) feeding a real
 * LogTap, writing to nowhere: entries reach the tap in the exact shape the
 * running backend gives them.
 */
export async function liveLog(tap: LogTap = new LogTap()) {
  const stream = new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });
  const logger = await createOpsRootLogger({
    config: new ConfigReader({}),
    transports: [new transports.Stream({ stream })],
    secretEnumerator: () => [],
    tap,
  });
  const http = logger.child({ service: 'rootHttpRouter' });

  /** An access line as opsAccessLogging writes it. */
  const access = (options: {
    ip: string;
    status: number;
    url?: string;
    method?: string;
    userAgent?: string;
  }) => {
    const method = options.method ?? 'GET';
    const url = options.url ?? '/api/catalog/entities';
    const userAgent = options.userAgent ?? 'curl/8.5.0';
    http.info(
      `"${method} ${url} HTTP/1.1" ${options.status} 17 "-" "${userAgent}"`,
      {
        type: 'incomingRequest',
        method,
        url,
        status: options.status,
        httpVersion: '1.1',
        userAgent,
        contentLength: 17,
        remoteAddr: options.ip,
        durationMs: 1.8,
      },
    );
  };

  /** An ops audit event as the AuditChainer of `plugin` logs it. */
  const audit = (
    plugin: string,
    event: { type: string; actor: string; data?: Record<string, unknown> },
  ) => {
    const fields = auditEventToEcs({ ...event, seq: 1, hash: 'a'.repeat(64) });
    logger.child({ plugin }).info(`audit ${event.type}`, { ...fields });
  };

  /** A Backstage auditor event as the auditor service logs it. */
  const auditor = (plugin: string, event: Record<string, unknown>) => {
    logger
      .child({ plugin })
      .child({ isAuditEvent: true })
      .info(`${plugin}.${event.eventId}`, { plugin, ...event });
  };

  return { tap, logger, access, audit, auditor };
}
