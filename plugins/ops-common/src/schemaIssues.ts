/**
 * The parts of a zod issue that describing it needs. Structural, so the
 * frontend can describe issues a backend sent without importing zod.
 */
export interface SchemaIssue {
  path: ReadonlyArray<string | number>;
  message: string;
}

/**
 * One line per issue, `<prefix>.<path>: <message>`; the prefix (a config key,
 * a connection name) is left out when empty, the path when the issue is about
 * the whole value.
 */
export function describeSchemaIssues(
  issues: readonly SchemaIssue[],
  prefix?: string,
): string[] {
  return issues.map(issue => {
    const at = [...(prefix ? [prefix] : []), ...issue.path].join('.');
    return at ? `${at}: ${issue.message}` : issue.message;
  });
}
