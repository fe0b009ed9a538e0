import { describeError } from './format';

/** The parts of a zod issue the forms read (the frontend has no zod of its own). */
interface SchemaIssue {
  path: Array<string | number>;
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
  issues: SchemaIssue[],
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

/** What a form shows when the server refused its submit. */
export function submitErrorMessage(error: unknown): string {
  const { status, message } = describeError(error);
  return status === 403 ? `Not permitted: ${message}` : message;
}
