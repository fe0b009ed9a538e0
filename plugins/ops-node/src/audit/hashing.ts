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
  /** The audit key that signed the row. */
  keyId: string;
  prevHash: string;
  recordId: string | null;
  type: string;
  actor: string;
  /** ISO 8601 with milliseconds, as `Date.prototype.toISOString` writes it. */
  at: string;
  data: unknown;
}

/** What a chained row's HMAC covers: the canonical JSON of its fields. */
export function chainMessage(fields: HashedFields): string {
  return canonicalJson({
    keyId: fields.keyId,
    prevHash: fields.prevHash,
    recordId: fields.recordId,
    type: fields.type,
    actor: fields.actor,
    at: fields.at,
    data: fields.data,
  });
}

/** The fields a pending row's MAC covers, as stored. */
export interface PendingFields {
  recordId: string | null;
  type: string;
  actor: string;
  /** ISO 8601 with milliseconds. */
  at: string;
  /** The stored text of the data column. */
  data: string;
}

const lengthPrefixed = (value: string) =>
  `${Buffer.byteLength(value, 'utf8')}:${value}`;

/**
 * What a pending row's MAC covers: each field prefixed with its length in
 * bytes, so no two rows share a message. PostgreSQL builds the same text in
 * SQL (`pendingMessageSql`), because an audited write creates the row there.
 */
export function pendingMessage(fields: PendingFields): string {
  return [
    fields.recordId === null ? 'n' : `s${fields.recordId}`,
    fields.type,
    fields.actor,
    fields.at,
    fields.data,
  ]
    .map(lengthPrefixed)
    .join('');
}

/**
 * `pendingMessage` as a PostgreSQL expression over SQL expressions of the
 * same fields (each yielding text).
 */
export function pendingMessageSql(fields: Record<keyof PendingFields, string>) {
  const prefixed = (sql: string) =>
    `octet_length(${sql})::text || ':' || ${sql}`;
  return [
    `coalesce('s' || ${fields.recordId}, 'n')`,
    fields.type,
    fields.actor,
    fields.at,
    fields.data,
  ]
    .map(sql => `(${prefixed(`(${sql})`)})`)
    .join(' || ');
}
