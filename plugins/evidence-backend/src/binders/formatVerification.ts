import type { BinderVerification } from '@internal/plugin-evidence-common';

/** One line per problem, then `OK` or `FAILED`, as the CLI prints them. */
export function formatVerification(v: BinderVerification): string[] {
  const lines = [
    ...v.mismatched.map(p => `MISMATCHED ${p}`),
    ...v.missing.map(p => `MISSING ${p}`),
    ...v.extra.map(p => `EXTRA ${p}`),
    ...v.errors.map(e => `ERROR ${e}`),
  ];
  if (!v.signatureValid) lines.push('SIGNATURE INVALID manifest.json.sig');
  lines.push(
    `${v.fileCount} files read, signature ${
      v.signatureValid ? 'valid' : 'not valid'
    }`,
  );
  lines.push(v.ok ? 'OK' : 'FAILED');
  return lines;
}
