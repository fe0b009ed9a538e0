import { fieldReader } from './fieldPath';
import type { EcsDocument, FieldValue, MatchExpression } from './types';

/** A compiled `match` expression. */
export type EventPredicate = (event: EcsDocument) => boolean;

/**
 * Compiles a rule's `match`. Values compare as strings, so `401` matches
 * `"401"` and `true` matches `"true"` (ECS `labels.*` are strings); a field
 * holding an array matches when any element does.
 */
export function compileMatch(expression: MatchExpression): EventPredicate {
  if ('all' in expression) {
    const parts = expression.all.map(compileMatch);
    return event => parts.every(part => part(event));
  }
  if ('any' in expression) {
    const parts = expression.any.map(compileMatch);
    return event => parts.some(part => part(event));
  }
  const read = fieldReader(expression.field);
  if ('exists' in expression) {
    const wanted = expression.exists;
    return event => isPresent(read(event)) === wanted;
  }
  const accepted = new Set(
    ('equals' in expression ? [expression.equals] : expression.in).map(String),
  );
  return event => {
    const value = read(event);
    if (Array.isArray(value)) {
      return value.some(
        element => isScalar(element) && accepted.has(String(element)),
      );
    }
    return isScalar(value) && accepted.has(String(value));
  };
}

function isScalar(value: unknown): value is FieldValue {
  return (
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  );
}

function isPresent(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  return !Array.isArray(value) || value.length > 0;
}
