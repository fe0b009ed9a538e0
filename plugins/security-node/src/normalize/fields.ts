import type { EcsDocument } from '../correlation/types';
import { isoString } from './isoString';
import { JsonObject, MappingProblem } from './types';
import { clientAddress } from '@internal/plugin-ops-node';

/** The ECS version our documents follow (that of `@elastic/ecs`). */
export const ECS_VERSION = '9.4.0' as const;

/** Small readers for untrusted JSON: a value of the right type, or undefined. */
export const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

export const num = (value: unknown): number | undefined => {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) {
    return Number(value);
  }
  return undefined;
};

export const obj = (value: unknown): JsonObject | undefined =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? (value as JsonObject)
    : undefined;

/**
 * An ISO 8601 timestamp from a date string or epoch milliseconds. A string
 * without a zone (winston's `YYYY-MM-DD HH:mm:ss`) is read as UTC.
 */
export function isoTime(value: unknown): string | undefined {
  let ms = NaN;
  if (typeof value === 'number' && Number.isFinite(value)) {
    ms = new Date(value).getTime(); // clipped to an integer in range, or NaN
  } else if (typeof value === 'string' && value !== '') {
    ms = Date.parse(hasZone(value) ? value : `${value.replace(' ', 'T')}Z`);
  }
  return Number.isNaN(ms) ? undefined : isoString(ms);
}

const ZONE_OFFSET = /[+-]\d\d:?\d\d$/;

/** Whether a date string ends in a zone: `Z` or an offset such as `+02:00`. */
function hasZone(value: string): boolean {
  const last = value[value.length - 1];
  return last === 'Z' || last === 'z' || ZONE_OFFSET.test(value);
}

/** The name part of an entity ref: `user:default/jane` → `jane`. */
export function refName(ref: string): string {
  const slash = ref.lastIndexOf('/');
  const colon = ref.indexOf(':');
  return ref.slice(Math.max(slash, colon) + 1) || ref;
}

/**
 * A URL's path without query string or fragment: queries carry tokens
 * (`?token=`, `?code=`) that must not reach a SIEM.
 */
export function pathOnly(url: string): string {
  const path = url.slice(0, endOfPath(url));
  try {
    return path.includes('://') ? new URL(path).pathname : path;
  } catch {
    return path;
  }
}

/** Where a URL's query string or fragment starts (its length if neither). */
function endOfPath(url: string): number {
  const query = url.indexOf('?');
  const fragment = url.indexOf('#');
  if (query === -1) return fragment === -1 ? url.length : fragment;
  return fragment === -1 ? query : Math.min(query, fragment);
}

export function outcomeOfStatus(
  status: number | undefined,
): 'success' | 'failure' | 'unknown' {
  if (status === undefined) return 'unknown';
  return status < 400 ? 'success' : 'failure';
}

/**
 * The object without its undefined values, or undefined when none is left,
 * so an ECS group with nothing in it disappears. Shallow: build documents
 * bottom-up, each group through `defined`. Returns the object itself when
 * every value is defined (no copy).
 */
export function defined<T extends JsonObject>(group: T): T | undefined {
  let kept = 0;
  let dropped = 0;
  for (const key in group) {
    if (group[key] === undefined) dropped++;
    else kept++;
  }
  if (kept === 0) return undefined;
  if (dropped === 0) return group;
  const out: JsonObject = {};
  for (const key in group) {
    if (group[key] !== undefined) out[key] = group[key];
  }
  return out as T;
}

export interface HttpAccess {
  method?: string;
  url?: string;
  status?: number;
  ip?: string;
  userAgent?: string;
  durationMs?: number;
  bytes?: number;
  referrer?: string;
  httpVersion?: string;
}

/**
 * The ECS groups of an HTTP access line (query strings stripped), in this
 * order: `http`, `url`, `client`, `source`, `user_agent`. Its `event` fields
 * are `accessEvent`'s.
 */
export function httpFields(access: HttpAccess) {
  const path = access.url ? pathOnly(access.url) : undefined;
  const { userAgent } = access;
  // An IPv4 client of a dual-stack listener (`::ffff:203.0.113.9`) is IPv4.
  const ip = access.ip ? clientAddress(access.ip) : undefined;
  return {
    http: defined({
      request: defined({
        method: access.method?.toUpperCase(),
        referrer: access.referrer ? pathOnly(access.referrer) : undefined,
      }),
      response: defined({
        status_code: access.status,
        body: access.bytes !== undefined ? { bytes: access.bytes } : undefined,
      }),
      version: access.httpVersion,
    }),
    url: path !== undefined ? { path, original: path } : undefined,
    client: ip ? { ip } : undefined,
    source: ip ? { ip } : undefined,
    user_agent: userAgent ? { original: userAgent } : undefined,
  };
}

/**
 * `event` of an HTTP access line: kind, the mapper's module and dataset,
 * duration (ns), outcome from the status, category web, type error or access.
 */
export function accessEvent(
  module: string,
  dataset: string,
  access: HttpAccess,
) {
  const { status, durationMs } = access;
  return defined({
    kind: 'event',
    module,
    dataset,
    duration:
      durationMs !== undefined ? Math.round(durationMs * 1e6) : undefined,
    outcome: outcomeOfStatus(status),
    category: ['web'],
    type: [status !== undefined && status >= 400 ? 'error' : 'access'],
  });
}

/** `trace.id` and `span.id` under their usual spellings. */
export function traceFields(line: JsonObject) {
  const traceId =
    str(line.trace_id) ?? str(line.traceId) ?? str(obj(line.trace)?.id);
  const spanId =
    str(line.span_id) ?? str(line.spanId) ?? str(obj(line.span)?.id);
  return {
    trace: traceId ? { id: traceId } : undefined,
    span: spanId ? { id: spanId } : undefined,
  };
}

/**
 * A complete ECS document: the timestamp (required, else a `no_timestamp`
 * problem), `ecs.version`, then the groups of `fields` in their order, the
 * undefined ones left out. Each group must already be clean (see `defined`).
 */
export function ecsDocument(
  timestamp: string | undefined,
  fields: JsonObject,
): EcsDocument {
  if (!timestamp) throw new MappingProblem('no_timestamp');
  const doc: JsonObject = {
    '@timestamp': timestamp,
    ecs: { version: ECS_VERSION },
  };
  for (const key in fields) {
    if (fields[key] !== undefined) doc[key] = fields[key];
  }
  return doc as unknown as EcsDocument;
}
