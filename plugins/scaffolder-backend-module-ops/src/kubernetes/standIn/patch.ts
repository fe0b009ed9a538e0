/**
 * The patch formats the Kubernetes API accepts for PATCH (other than
 * server-side apply): JSON merge patch (RFC 7386) and JSON patch (RFC 6902).
 * Strategic merge patch is treated as a JSON merge patch by the stand-in: for
 * the fields the ops actions touch (`spec.template`, `spec.replicas`,
 * `metadata.annotations`, `metadata.resourceVersion`) the outcome is the same
 * except that lists (such as `containers`) are replaced whole instead of being
 * merged by their `name` key.
 */

/** A patch the server could not apply: 422 (`Invalid`) or 400 (`BadRequest`). */
export class PatchError extends Error {
  constructor(message: string, readonly status: 400 | 422 = 422) {
    super(message);
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep copy of a JSON value. */
export function clone<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

/** RFC 7386 JSON merge patch. Returns a new value; the target is not modified. */
export function applyMergePatch(target: unknown, patch: unknown): any {
  if (!isObject(patch)) {
    return clone(patch);
  }
  const result: Record<string, Json> = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
    } else {
      result[key] = applyMergePatch(result[key], value);
    }
  }
  return result;
}

function decodePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) {
    throw new PatchError(`invalid JSON pointer "${pointer}"`, 400);
  }
  return pointer
    .slice(1)
    .split('/')
    .map(t => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** The value with object keys sorted, for comparisons and hashing. */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (isObject(value)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map(k => [k, canonical(value[k])]),
    );
  }
  return value;
}

function parentOf(doc: any, tokens: string[], path: string) {
  let node = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(node)) {
      node = node[Number(token)];
    } else if (isObject(node)) {
      node = node[token];
    } else {
      node = undefined;
    }
    if (node === undefined) {
      throw new PatchError(`path "${path}" does not exist`);
    }
  }
  return { parent: node, last: tokens[tokens.length - 1] };
}

function getAt(doc: any, path: string): any {
  let node = doc;
  for (const token of decodePointer(path)) {
    if (Array.isArray(node)) node = node[Number(token)];
    else if (isObject(node)) node = node[token];
    else node = undefined;
    if (node === undefined) {
      throw new PatchError(`path "${path}" does not exist`);
    }
  }
  return node;
}

function removeAt(doc: any, path: string): any {
  const tokens = decodePointer(path);
  if (tokens.length === 0) throw new PatchError('cannot remove the root');
  const { parent, last } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) {
    const i = Number(last);
    if (!Number.isInteger(i) || i < 0 || i >= parent.length) {
      throw new PatchError(`path "${path}" does not exist`);
    }
    return parent.splice(i, 1)[0];
  }
  if (!isObject(parent) || !(last in parent)) {
    throw new PatchError(`path "${path}" does not exist`);
  }
  const old = parent[last];
  delete parent[last];
  return old;
}

function addAt(doc: any, path: string, value: unknown, replace: boolean): any {
  const tokens = decodePointer(path);
  if (tokens.length === 0) return clone(value);
  const { parent, last } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : Number(last);
    if (
      !Number.isInteger(i) ||
      i < 0 ||
      i > parent.length - (replace ? 1 : 0)
    ) {
      throw new PatchError(`path "${path}" does not exist`);
    }
    parent.splice(i, replace ? 1 : 0, clone(value));
  } else if (isObject(parent)) {
    if (replace && !(last in parent)) {
      throw new PatchError(`path "${path}" does not exist`);
    }
    parent[last] = clone(value) as Json;
  } else {
    throw new PatchError(`path "${path}" does not exist`);
  }
  return doc;
}

/** RFC 6902 JSON patch. Returns a new value; the target is not modified. */
export function applyJsonPatch(target: unknown, operations: unknown): any {
  if (!Array.isArray(operations)) {
    throw new PatchError('a JSON patch must be an array of operations', 400);
  }
  let doc: any = clone(target);
  for (const op of operations) {
    if (
      !isObject(op) ||
      typeof op.op !== 'string' ||
      typeof op.path !== 'string'
    ) {
      throw new PatchError(
        'each JSON patch operation needs "op" and "path"',
        400,
      );
    }
    const path = op.path;
    switch (op.op) {
      case 'add':
        doc = addAt(doc, path, op.value, false);
        break;
      case 'replace':
        doc = addAt(doc, path, op.value, true);
        break;
      case 'remove':
        removeAt(doc, path);
        break;
      case 'move': {
        const value = removeAt(doc, String(op.from));
        doc = addAt(doc, path, value, false);
        break;
      }
      case 'copy':
        doc = addAt(doc, path, getAt(doc, String(op.from)), false);
        break;
      case 'test':
        if (!deepEqual(getAt(doc, path), op.value)) {
          throw new PatchError(`testing value at "${path}" failed`);
        }
        break;
      default:
        throw new PatchError(`unknown JSON patch operation "${op.op}"`, 400);
    }
  }
  return doc;
}
