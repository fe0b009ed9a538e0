import { InputError } from '@backstage/errors';
import { describeSchemaIssues } from '@internal/plugin-ops-common';
import type { z } from 'zod';

/** Parses a connection's config, naming the connection and field in errors. */
export function parseConnectionConfig<S extends z.ZodTypeAny>(
  connection: string,
  schema: S,
  value: unknown,
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) {
    return parsed.data;
  }
  throw new InputError(
    `Invalid privacy connection config: ${describeSchemaIssues(
      parsed.error.issues,
      connection,
    ).join('; ')}`,
  );
}
