/**
 * Names of evidence files inside a binder: `evidence/<sha256 prefix>-<safe name>`,
 * unique (also on case-insensitive file systems), safe to extract anywhere,
 * short enough for a plain ustar header, and independent of the input order.
 */

const PREFIX_LENGTH = 12;
const MAX_NAME_LENGTH = 60;
const MAX_EXTENSION_LENGTH = 12;

/** A file name made of `[A-Za-z0-9._-]` only, at most 60 characters, never empty. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  let safe = base
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/_{2,}/g, '_')
    .replace(/^[._-]+/, '')
    .replace(/\.{2,}/g, '.');
  if (safe.length > MAX_NAME_LENGTH) {
    const dot = safe.lastIndexOf('.');
    const ext =
      dot > 0 && safe.length - dot <= MAX_EXTENSION_LENGTH
        ? safe.slice(dot)
        : '';
    safe = safe.slice(0, MAX_NAME_LENGTH - ext.length) + ext;
  }
  return safe || 'file';
}

interface Nameable {
  id: string;
  sha256: string;
  fileName: string;
}

/**
 * Paths (relative to `binder/`) for the files, keyed by file id. Files are
 * taken in (sha256, fileName, id) order, so the names do not depend on the
 * input order; a name already taken (ignoring case) gets the item id, then a
 * counter.
 */
export function evidencePaths(
  files: Nameable[],
  dir: string,
): Map<string, string> {
  const sorted = [...files].sort(
    (a, b) =>
      compare(a.sha256, b.sha256) ||
      compare(a.fileName, b.fileName) ||
      compare(a.id, b.id),
  );
  const taken = new Set<string>();
  const paths = new Map<string, string>();
  for (const file of sorted) {
    if (paths.has(file.id)) {
      throw new Error(`evidence item ${file.id} is listed twice`);
    }
    const prefix = file.sha256.toLowerCase().slice(0, PREFIX_LENGTH);
    const name = safeFileName(file.fileName);
    const id = safeFileName(file.id).slice(0, 20);
    const candidates = [`${prefix}-${name}`, `${prefix}-${id}-${name}`];
    let chosen = candidates.find(c => !taken.has(c.toLowerCase()));
    for (let n = 2; !chosen; n++) {
      const c = `${prefix}-${id}-${n}-${name}`;
      if (!taken.has(c.toLowerCase())) chosen = c;
    }
    taken.add(chosen.toLowerCase());
    paths.set(file.id, `${dir}/${chosen}`);
  }
  return paths;
}

/** Orders strings by UTF-16 code units, the same everywhere (no locale). */
export function compare(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}
