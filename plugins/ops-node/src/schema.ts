import { describeSchemaIssues } from '@internal/plugin-ops-common';
import type { z } from 'zod';

/**
 * Parses `value` with `schema`; when it does not fit, throws the error
 * `toError` makes of one line per problem (`<prefix>.<path>: <message>`).
 * What config validation, request input and connection checks share.
 */
export function parseOrThrow<S extends z.ZodTypeAny>(
  schema: S,
  value: unknown,
  toError: (problems: string[]) => Error,
  prefix?: string,
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw toError(describeSchemaIssues(parsed.error.issues, prefix));
}
