import type { TableComparison, TableFingerprint, TableMismatch } from './types';

/**
 * Lines up the fingerprints of the source and the restored copy table by
 * table (sorted by name) and lists every difference: row count, checksum, or
 * a table present on one side only.
 */
export function compareFingerprints(
  source: ReadonlyMap<string, TableFingerprint>,
  restored: ReadonlyMap<string, TableFingerprint>,
): { tables: TableComparison[]; mismatches: TableMismatch[] } {
  const names = [...new Set([...source.keys(), ...restored.keys()])].sort();
  const tables: TableComparison[] = [];
  const mismatches: TableMismatch[] = [];
  for (const table of names) {
    const from = source.get(table);
    const to = restored.get(table);
    tables.push({ table, source: from ?? null, restored: to ?? null });
    if (!to) {
      mismatches.push({ table, kind: 'missing-in-restore', source: from });
    } else if (!from) {
      mismatches.push({ table, kind: 'extra-in-restore', restored: to });
    } else if (from.rows !== to.rows) {
      mismatches.push({ table, kind: 'rows', source: from, restored: to });
    } else if (from.checksum !== to.checksum) {
      mismatches.push({ table, kind: 'checksum', source: from, restored: to });
    }
  }
  return { tables, mismatches };
}

/** One line per mismatch, for logs and error messages. */
export function describeMismatch(mismatch: TableMismatch): string {
  switch (mismatch.kind) {
    case 'missing-in-restore':
      return `table ${mismatch.table} is missing from the restored copy`;
    case 'extra-in-restore':
      return `table ${mismatch.table} exists only in the restored copy`;
    case 'rows':
      return `table ${mismatch.table} has ${mismatch.restored?.rows} rows restored, ${mismatch.source?.rows} in the source`;
    default:
      return `table ${mismatch.table} checksum differs (source ${mismatch.source?.checksum}, restored ${mismatch.restored?.checksum})`;
  }
}
