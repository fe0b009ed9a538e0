import parseSpdxExpression from 'spdx-expression-parse';

/**
 * SPDX license expressions (SPDX 2.3, Annex D) as npm packages declare them.
 *
 * `spdx-expression-parse` checks the grammar and that each license and
 * exception identifier is on the SPDX License List (deprecated identifiers
 * included) or is a `LicenseRef-`, as Annex D.3 asks. It reads `and`/`or`/
 * `with` in any case; Annex D.2 says operators are matched case-sensitively,
 * so lowercase operators are refused here.
 */

const OPERATOR_WORD = /(?:^|[\s()])(and|or|with)(?=$|[\s()])/gi;

function hasNonUppercaseOperator(expression: string): boolean {
  for (const match of expression.matchAll(OPERATOR_WORD)) {
    if (match[1] !== match[1].toUpperCase()) return true;
  }
  return false;
}

/** Whether `expression` is a valid SPDX license expression. */
export function isValidLicenseExpression(expression: string): boolean {
  if (expression.trim() === '' || hasNonUppercaseOperator(expression)) {
    return false;
  }
  try {
    parseSpdxExpression(expression);
    return true;
  } catch {
    return false;
  }
}

/**
 * The declared license of an installed package, as an SPDX expression, or
 * `NOASSERTION` when it declares none or something that is not one. Reads
 * `license` (a string, or the old `{ type }` object) and the old `licenses`
 * array when it holds exactly one license.
 */
export function declaredLicense(manifest: {
  license?: unknown;
  licenses?: unknown;
}): string {
  let candidate: unknown = manifest.license;
  if (candidate === undefined && Array.isArray(manifest.licenses)) {
    candidate =
      manifest.licenses.length === 1 ? manifest.licenses[0] : undefined;
  }
  if (candidate && typeof candidate === 'object' && 'type' in candidate) {
    candidate = (candidate as { type: unknown }).type;
  }
  if (typeof candidate !== 'string') return 'NOASSERTION';
  const trimmed = candidate.trim();
  return isValidLicenseExpression(trimmed) ? trimmed : 'NOASSERTION';
}
