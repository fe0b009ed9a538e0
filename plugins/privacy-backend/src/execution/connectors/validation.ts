import { InputError } from '@backstage/errors';
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
  const problems = parsed.error.issues.map(issue => {
    const at = issue.path.length > 0 ? `.${issue.path.join('.')}` : '';
    return `${connection}${at}: ${issue.message}`;
  });
  throw new InputError(
    `Invalid privacy connection config: ${problems.join('; ')}`,
  );
}
