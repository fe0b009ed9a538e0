import { InputError } from '@backstage/errors';
import { parseOrThrow } from '@internal/plugin-ops-node';
import type { z } from 'zod';

/** Parses a connection's config, naming the connection and field in errors. */
export function parseConnectionConfig<S extends z.ZodTypeAny>(
  connection: string,
  schema: S,
  value: unknown,
): z.output<S> {
  return parseOrThrow(
    schema,
    value,
    problems =>
      new InputError(
        `Invalid privacy connection config: ${problems.join('; ')}`,
      ),
    connection,
  );
}
