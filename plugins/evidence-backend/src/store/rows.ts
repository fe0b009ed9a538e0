/** PostgreSQL returns Date, SQLite a number or string: all become ISO text. */
export const iso = (value: Date | string | number) =>
  new Date(
    typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value,
  ).toISOString();

export const isoOrNull = (value: Date | string | number | null | undefined) =>
  value === null || value === undefined ? null : iso(value);

/** Escapes `%`, `_` and `\` for a LIKE pattern used with ESCAPE '\'. */
export const likeContains = (text: string) =>
  `%${text.replace(/[\\%_]/g, c => `\\${c}`)}%`;
