import type { EcsDocument } from '../correlation/types';
import { JsonObject, MappingProblem } from './types';

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
  let date: Date | undefined;
  if (typeof value === 'number' && Number.isFinite(value)) {
    date = new Date(value);
  } else if (typeof value === 'string' && value !== '') {
    const zoned = /(Z|[+-]\d\d:?\d\d)$/i.test(value)
      ? value
      : `${value.replace(' ', 'T')}Z`;
    date = new Date(zoned);
  }
  return date && !Number.isNaN(date.getTime()) ? date.toISOString() : undefined;
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
  const cut = url.search(/[?#]/);
  const path = cut === -1 ? url : url.slice(0, cut);
  try {
    return path.includes('://') ? new URL(path).pathname : path;
  } catch {
    return path;
  }
}

export function outcomeOfStatus(
  status: number | undefined,
): 'success' | 'failure' | 'unknown' {
  if (status === undefined) return 'unknown';
  return status < 400 ? 'success' : 'failure';
}

/** A shallow object with the undefined values left out (JSON-clean output). */
export function compact<T extends Record<string, unknown>>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const inner = compact(v as Record<string, unknown>);
      if (Object.keys(inner).length > 0) out[key] = inner;
    } else {
      out[key] = v;
    }
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

/** The ECS fields of an HTTP access line (query strings stripped). */
export function httpFields(access: HttpAccess): Record<string, unknown> {
  const path = access.url ? pathOnly(access.url) : undefined;
  return {
    http: {
      request: {
        method: access.method?.toUpperCase(),
        referrer: access.referrer ? pathOnly(access.referrer) : undefined,
      },
      response: {
        status_code: access.status,
        body: access.bytes !== undefined ? { bytes: access.bytes } : undefined,
      },
      version: access.httpVersion,
    },
    url: { path, original: path },
    client: { ip: access.ip },
    source: { ip: access.ip },
    user_agent: { original: access.userAgent },
    event: {
      duration:
        access.durationMs !== undefined
          ? Math.round(access.durationMs * 1e6)
          : undefined,
      outcome: outcomeOfStatus(access.status),
    },
  };
}

/** Deep merge of plain objects, later wins. */
export function merge(...parts: Array<Record<string, unknown>>) {
  const out: Record<string, unknown> = {};
  for (const part of parts) {
    for (const [key, value] of Object.entries(part)) {
      const prev = out[key];
      out[key] =
        obj(prev) && obj(value)
          ? merge(prev as JsonObject, value as JsonObject)
          : value;
    }
  }
  return out;
}

/** Trace ids under their usual spellings. */
export function traceFields(line: JsonObject) {
  const trace = obj(line.trace);
  const span = obj(line.span);
  return {
    trace: {
      id: str(line.trace_id) ?? str(line.traceId) ?? str(trace?.id),
    },
    span: { id: str(line.span_id) ?? str(line.spanId) ?? str(span?.id) },
  };
}

/**
 * A complete ECS document: the timestamp (required, else a `no_timestamp`
 * problem), `ecs.version`, then the parts merged with undefined values dropped.
 */
export function ecsDocument(
  timestamp: string | undefined,
  ...parts: Array<Record<string, unknown>>
): EcsDocument {
  if (!timestamp) throw new MappingProblem('no_timestamp');
  return compact(
    merge({ '@timestamp': timestamp, ecs: { version: ECS_VERSION } }, ...parts),
  ) as unknown as EcsDocument;
}
