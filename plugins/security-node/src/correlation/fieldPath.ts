import type { EcsDocument } from './types';

/** Reads one field of an event: the value, `undefined` when absent. */
export type FieldReader = (event: EcsDocument) => unknown;

/**
 * A reader for a dotted path. ECS documents are nested
 * (`{ event: { action } }`), but some producers write dotted keys
 * (`{ 'event.action': … }`), so a nested miss falls back to the flat key.
 */
export function fieldReader(path: string): FieldReader {
  const parts = path.split('.');
  return event => {
    let value: unknown = event;
    for (const part of parts) {
      if (value === null || typeof value !== 'object') {
        value = undefined;
        break;
      }
      value = (value as Record<string, unknown>)[part];
    }
    if (value === undefined) {
      value = (event as unknown as Record<string, unknown>)[path];
    }
    return value;
  };
}

/** A group key from a field value: a scalar as a string, or an array's first element. */
export function groupKeyOf(value: unknown): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  if (typeof first === 'string') return first.length > 0 ? first : undefined;
  if (typeof first === 'number' && Number.isFinite(first)) return String(first);
  if (typeof first === 'boolean') return String(first);
  return undefined;
}
