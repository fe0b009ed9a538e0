import { EcsFlat } from '@elastic/ecs/build/commonjs/ecs_flat';
import type { EcsDocument } from '../../correlation/types';
import { ecsDocument, isoTime, num, obj, str } from '../fields';
import type { HttpAccess } from '../fields';
import type { JsonObject, Mapper, NormalizeOptions } from '../types';
import { backstageLogDocument } from './backstageLog';
import { isOpsAuditEcs, opsAuditFromEcs } from './opsAudit';

const FIELDS = EcsFlat as unknown as Record<string, { type: string }>;

/**
 * ECS paths whose value must be an object: every group (`event`,
 * `http.request`, …: a prefix of a field name) and the object-typed fields
 * (`labels`).
 */
const OBJECT_PATHS = new Set<string>();
for (const [name, def] of Object.entries(FIELDS)) {
  const parts = name.split('.');
  for (let i = 1; i < parts.length; i++) {
    OBJECT_PATHS.add(parts.slice(0, i).join('.'));
  }
  if (def.type === 'object' || def.type === 'flattened') OBJECT_PATHS.add(name);
}

const isPlainObject = (value: unknown): value is JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * A copy of `value` without nulls and without non-objects where ECS has a
 * group or an object field (`event: "x"`): the light validation of a line
 * that says it is ECS. Unknown (custom) fields are kept.
 */
function clean(value: JsonObject, prefix: string): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(value)) {
    const child = value[key];
    if (child === null || child === undefined) continue;
    const path = prefix + key;
    if (isPlainObject(child)) {
      const inner = clean(child, `${path}.`);
      if (Object.keys(inner).length > 0) out[key] = inner;
    } else if (!OBJECT_PATHS.has(path)) {
      out[key] = child;
    }
  }
  return out;
}

/**
 * A line's fields nested: `{"log.level": "info"}` → `{log: {level: "info"}}`,
 * as ecs-winston-format writes some fields dotted and others nested. When a
 * field is both nested and dotted, the nested value wins (ecs-winston-format
 * writes its defaults, `service.name` and `event.dataset`, dotted beside the
 * line's own). Nulls and non-object garbage at group paths are dropped. The
 * input is not changed.
 */
export function nestEcs(line: JsonObject): JsonObject {
  const nested = clean(line, '');
  for (const key of Object.keys(nested)) {
    if (key.includes('.')) delete nested[key];
  }
  for (const key of Object.keys(line)) {
    if (!key.includes('.') || key.startsWith('.') || key.endsWith('.')) {
      continue;
    }
    const value = line[key];
    if (value === null || value === undefined) continue;
    const parts = key.split('.');
    let node = nested;
    let path = '';
    let placed = true;
    for (const part of parts.slice(0, -1)) {
      path = path ? `${path}.${part}` : part;
      const next = node[part];
      if (next === undefined) node[part] = {};
      else if (!isPlainObject(next)) {
        placed = false; // a nested scalar holds this path: it wins
        break;
      }
      node = node[part] as JsonObject;
    }
    const last = parts[parts.length - 1];
    const leafPath = key;
    if (!placed || node[last] !== undefined) continue;
    if (isPlainObject(value)) node[last] = clean(value, `${leafPath}.`);
    else if (!OBJECT_PATHS.has(leafPath)) node[last] = value;
  }
  return nested;
}

/** Whether a line says it is ECS: `ecs.version` (dotted or nested) and `@timestamp`. */
export function isEcsLine(line: JsonObject): boolean {
  const version = line['ecs.version'] ?? obj(line.ecs)?.version;
  return typeof version === 'string' && line['@timestamp'] !== undefined;
}

/** An access line of Backstage's root HTTP router, as the ECS logger writes it. */
function accessOf(doc: JsonObject): HttpAccess | undefined {
  const http = obj(doc.http);
  const status = num(obj(http?.response)?.status_code);
  if (str(obj(doc.log)?.logger) !== 'rootHttpRouter' || status === undefined) {
    return undefined;
  }
  const url = obj(doc.url);
  const duration = num(obj(doc.event)?.duration);
  return {
    method: str(obj(http?.request)?.method),
    url: str(url?.original) ?? str(url?.path),
    status,
    ip: str(obj(doc.source)?.ip) ?? str(obj(doc.client)?.ip),
    userAgent: str(obj(doc.user_agent)?.original),
    durationMs: duration !== undefined ? duration / 1e6 : undefined,
    bytes: num(obj(obj(http?.response)?.body)?.bytes),
    httpVersion: str(http?.version),
  };
}

/** Keeps the listed keys of a group, in that order; undefined when none is there. */
function pick(group: unknown, keys: string[]): JsonObject | undefined {
  const from = obj(group);
  if (!from) return undefined;
  const out: JsonObject = {};
  for (const key of keys) if (from[key] !== undefined) out[key] = from[key];
  return Object.keys(out).length > 0 ? out : undefined;
}

/** A Backstage auditor event as the ECS logger writes it (ops-node's `auditorEventToEcs`). */
function auditorDocument(
  doc: JsonObject,
  timestamp: string | undefined,
  options: NormalizeOptions,
): EcsDocument {
  const message = str(obj(doc.error)?.message);
  const method = str(obj(obj(doc.http)?.request)?.method);
  return ecsDocument(timestamp, {
    event: pick(doc.event, [
      'kind',
      'category',
      'type',
      'action',
      'provider',
      'module',
      'dataset',
      'outcome',
      'severity',
    ]),
    log: pick(doc.log, ['level']),
    user: pick(doc.user, ['id', 'name']),
    source: pick(doc.source, ['ip']),
    client: pick(doc.client, ['ip']),
    user_agent: pick(doc.user_agent, ['original']),
    url: pick(doc.url, ['path', 'original']),
    http: method ? { request: { method } } : undefined,
    error: message ? { message } : undefined,
    service: {
      name: options.serviceName ?? str(obj(doc.service)?.name) ?? 'backstage',
    },
    trace: pick(doc.trace, ['id']),
    span: pick(doc.span, ['id']),
  });
}

/**
 * The portal's own ECS lines (ops-node's ECS root logger) give the document
 * their raw line gives, so a SIEM sees one document per event whichever
 * `ops.logging.format` the portal ran with: ops audit lines as `ops.audit`,
 * auditor lines as `backstage.auditor`, access lines of `rootHttpRouter` as
 * `backstage.access`. Undefined for any other line.
 */
function ownDocument(
  doc: JsonObject,
  timestamp: string | undefined,
  options: NormalizeOptions,
): EcsDocument | undefined {
  if (isOpsAuditEcs(doc)) return opsAuditFromEcs(doc, timestamp);
  if (obj(doc.event)?.dataset === 'backstage.auditor') {
    return auditorDocument(doc, timestamp, options);
  }
  const access = accessOf(doc);
  if (!access) return undefined;
  const log = obj(doc.log);
  return backstageLogDocument(
    {
      timestamp,
      level: str(log?.level),
      logger: str(log?.logger),
      service: str(obj(doc.service)?.name),
      access,
      trace: {
        trace: pick(doc.trace, ['id']),
        span: pick(doc.span, ['id']),
      },
    },
    options,
  );
}

/**
 * Lines already in ECS (`ecs.version` or `ecs: {version}`, and
 * `@timestamp`), nested or with dotted keys as ecs-winston-format writes
 * them: passed through as one nested document, lightly validated (nulls and
 * non-objects at group paths dropped, `@timestamp` a valid date, else a
 * `no_timestamp` problem; `ecs.version` ours). The portal's own audit,
 * auditor and access lines are mapped as their raw lines (see `ownDocument`).
 * `service.name` from the options only when the line names none.
 */
export const ecs: Mapper = {
  name: 'ecs',
  matches: isEcsLine,
  map(line, options) {
    const timestamp = isoTime(line['@timestamp']);
    const doc = nestEcs(line);
    const own = ownDocument(doc, timestamp, options);
    if (own) return own;
    const { '@timestamp': _at, ecs: _version, ...fields } = doc;
    if (options.serviceName && !str(obj(fields.service)?.name)) {
      fields.service = { ...obj(fields.service), name: options.serviceName };
    }
    return ecsDocument(timestamp, fields);
  },
};
