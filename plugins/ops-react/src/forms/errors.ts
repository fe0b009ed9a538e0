/**
 * The parts of a zod issue a form reads. Structural, so a frontend package
 * can describe its shared schema's issues without depending on zod.
 */
export interface FormSchemaIssue {
  path: ReadonlyArray<string | number>;
  code: string;
  message: string;
  minimum?: unknown;
  maximum?: unknown;
  options?: unknown[];
}

/**
 * A form's field errors from the issues of its shared schema: the first
 * issue of each field, in words for a person. `fieldOfPath` maps a schema
 * path (`subject.id`) to the form field it came from; other paths are left
 * out.
 */
export function fieldErrors<F extends string>(
  issues: readonly FormSchemaIssue[],
  fieldOfPath: Record<string, F>,
): Partial<Record<F, string>> {
  const errors: Partial<Record<F, string>> = {};
  for (const issue of issues) {
    const field = fieldOfPath[issue.path.join('.')];
    if (!field || errors[field]) continue;
    if (issue.code === 'too_small' && issue.minimum === 1) {
      errors[field] = 'Required';
    } else if (issue.code === 'too_big') {
      errors[field] = `At most ${issue.maximum} characters`;
    } else if (issue.code === 'invalid_enum_value') {
      errors[field] = `Choose one of ${issue.options?.join(', ')}`;
    } else {
      errors[field] = issue.message;
    }
  }
  return errors;
}

/** The status and the backend's message of an error a client call threw. */
export function describeError(error: unknown): {
  status?: number;
  message: string;
} {
  const e = error as {
    statusCode?: number;
    body?: { error?: { message?: string } };
    message?: string;
  };
  return {
    status: typeof e?.statusCode === 'number' ? e.statusCode : undefined,
    message: e?.body?.error?.message ?? e?.message ?? String(error),
  };
}

/** What a form shows when the server refused its submit. */
export function submitErrorMessage(error: unknown): string {
  const { status, message } = describeError(error);
  return status === 403 ? `Not permitted: ${message}` : message;
}
