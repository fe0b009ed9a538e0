import { format } from 'winston';
import { clientAddress } from './clientAddress';
import { redactUrl } from './redactUrl';

/**
 * The ECS fields of one access line that Backstage's rootHttpRouter logs
 * (`type: 'incomingRequest'`, see `MiddlewareFactory.logging()`).
 */
function accessFields(meta: Record<string, unknown>): Record<string, unknown> {
  const status = Number(meta.status);
  const url = redactUrl(String(meta.url ?? ''));
  const fields: Record<string, unknown> = {
    'event.kind': 'event',
    'event.category': ['web'],
    'event.type': ['access'],
    'event.outcome': status >= 400 ? 'failure' : 'success',
    'http.request.method': meta.method,
    'http.response.status_code': status,
    'http.version': meta.httpVersion,
    'url.original': url.original,
    'url.path': url.path,
  };
  if (url.query !== undefined) fields['url.query'] = url.query;
  if (typeof meta.contentLength === 'number') {
    fields['http.response.body.bytes'] = meta.contentLength;
  }
  if (typeof meta.referrer === 'string') {
    fields['http.request.referrer'] = redactUrl(meta.referrer).original;
  }
  if (typeof meta.userAgent === 'string') {
    fields['user_agent.original'] = meta.userAgent;
  }
  // Backstage's own access meta has neither; `opsAccessLogging` adds both.
  if (typeof meta.remoteAddr === 'string') {
    fields['client.ip'] = clientAddress(meta.remoteAddr);
    fields['source.ip'] = fields['client.ip'];
  }
  if (typeof meta.durationMs === 'number' && meta.durationMs >= 0) {
    // ECS `event.duration` is an integer in nanoseconds.
    fields['event.duration'] = Math.round(meta.durationMs * 1e6);
  }
  return fields;
}

const accessMetaKeys = [
  'type',
  'method',
  'url',
  'status',
  'httpVersion',
  'contentLength',
  'referrer',
  'userAgent',
  'remoteAddr',
  'durationMs',
];

/** Replaces every occurrence of `from` in `text` by `to`. */
function replaceAll(text: string, from: unknown, to: string): string {
  return typeof from === 'string' && from ? text.split(from).join(to) : text;
}

/**
 * Turns Backstage's HTTP access lines into ECS `http.*`, `url.*`,
 * `user_agent.original`, `client.ip`, `source.ip` and `event.*` fields
 * (`event.duration` from `durationMs`), and removes sensitive query
 * values (tokens, OAuth codes and state) from the fields and the message.
 * Other lines pass unchanged. Place it before `ecsFormat()`.
 */
export const accessLogToEcs = format(info => {
  if (info.type !== 'incomingRequest') return info;
  const meta = { ...info } as Record<string, unknown>;
  for (const key of accessMetaKeys) delete info[key];
  Object.assign(info, accessFields(meta));
  let message = String(info.message);
  message = replaceAll(message, meta.url, String(info['url.original']));
  if (typeof meta.referrer === 'string') {
    message = replaceAll(
      message,
      meta.referrer,
      String(info['http.request.referrer']),
    );
  }
  info.message = message;
  return info;
});
