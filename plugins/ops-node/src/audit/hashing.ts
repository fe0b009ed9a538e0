import { createHash } from 'node:crypto';

/** The `prevHash` of the first row of a chain. */
export const GENESIS_HASH = '0'.repeat(64);

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map(canonical).join(',')}]`;
  }
  const object = value as Record<string, unknown>;
  return `{${Object.keys(object)
    .sort()
    .map(key => `${JSON.stringify(key)}:${canonical(object[key])}`)
    .join(',')}}`;
}

/**
 * JSON with object keys in a stable (sorted) order at every depth, so the same
 * value always serializes to the same text. Values are first normalized the
 * way `JSON.stringify` does (Dates become ISO text, undefined keys vanish).
 */
export function canonicalJson(value: unknown): string {
  const json = JSON.stringify(value);
  return json === undefined ? 'null' : canonical(JSON.parse(json));
}

/** The fields a row's hash covers. */
export interface HashedFields {
  prevHash: string;
  recordId: string | null;
  type: string;
  actor: string;
  /** ISO 8601 with milliseconds, as `Date.prototype.toISOString` writes it. */
  at: string;
  data: unknown;
}

/** SHA-256 hex of the canonical serialization of a row's hashed fields. */
export function hashAuditFields(fields: HashedFields): string {
  return createHash('sha256')
    .update(
      canonicalJson({
        prevHash: fields.prevHash,
        recordId: fields.recordId,
        type: fields.type,
        actor: fields.actor,
        at: fields.at,
        data: fields.data,
      }),
    )
    .digest('hex');
}
