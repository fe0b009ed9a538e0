import { format } from 'winston';

function hasPath(value: unknown, path: string[]): boolean {
  let node = value;
  for (const key of path) {
    if (!node || typeof node !== 'object' || Array.isArray(node)) return false;
    if (!Object.hasOwn(node, key)) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return node !== undefined;
}

/**
 * Drops a dotted key (`event.dataset`, `service.name`) when the line also
 * holds that field nested (`event: { dataset }`). `ecsFields()` always writes
 * its defaults dotted (`service.name` = the root service, `event.dataset` =
 * the same); an audit line says its own (`service.name: privacy`,
 * `event.dataset: ops.audit`), and one field must not carry two values.
 * Place it after `ecsFields()`, before `ecsStringify()`.
 */
export const nestedOverDotted = format(info => {
  for (const key of Object.keys(info)) {
    const dot = key.indexOf('.');
    if (dot <= 0) continue;
    const group = key.slice(0, dot);
    if (hasPath(info[group], key.slice(dot + 1).split('.'))) delete info[key];
  }
  return info;
});
