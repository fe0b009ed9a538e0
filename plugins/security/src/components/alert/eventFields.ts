import type { SecurityEvent } from '@internal/plugin-security-common';

/**
 * The value at an ECS dotted path (`http.request.method`), in nested
 * objects as served; a dotted key at any level (`{"event.action": …}`)
 * is read too. Undefined when absent or not a scalar.
 */
export function ecsValue(
  event: SecurityEvent,
  path: string,
): string | undefined {
  const value = lookup(event, path.split('.'));
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  return undefined;
}

function lookup(node: unknown, parts: string[]): unknown {
  if (parts.length === 0) return node;
  if (node === null || typeof node !== 'object' || Array.isArray(node)) {
    return undefined;
  }
  const record = node as Record<string, unknown>;
  // The longest dotted key first: `user_agent.name` before `user_agent`.
  for (let take = parts.length; take > 0; take--) {
    const key = parts.slice(0, take).join('.');
    if (key in record) {
      const found = lookup(record[key], parts.slice(take));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** The columns of a triggering event, read from its ECS document. */
export interface EventRow {
  timestamp?: string;
  action?: string;
  outcome?: string;
  /** `source.ip`, else `client.ip`. */
  ip?: string;
  /** `user.name`, else `user.id`. */
  user?: string;
  method?: string;
  path?: string;
  statusCode?: string;
  userAgent?: string;
}

export function eventRow(event: SecurityEvent): EventRow {
  const get = (path: string) => ecsValue(event, path);
  return {
    timestamp: get('@timestamp'),
    action: get('event.action'),
    outcome: get('event.outcome'),
    ip: get('source.ip') ?? get('client.ip'),
    user: get('user.name') ?? get('user.id'),
    method: get('http.request.method'),
    path: get('url.path'),
    statusCode: get('http.response.status_code'),
    userAgent: get('user_agent.name'),
  };
}
