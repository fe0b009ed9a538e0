import type { Knex } from 'knex';

/** Every scratch database is named with this prefix. */
export const SCRATCH_PREFIX = 'ops_restore_';

const COMMENT_PREFIX = 'evidence restore test scratch, created ';

/** A run longer than this is long dead: its scratch database may go. */
export const STALE_SCRATCH_MS = 24 * 60 * 60 * 1000;

/** The comment a scratch database carries: when it was made. */
export function scratchComment(createdAt: Date): string {
  return `${COMMENT_PREFIX}${createdAt.toISOString()}`;
}

/**
 * Drops scratch databases that a killed run left behind: those named
 * `ops_restore_*` whose comment says they were created more than
 * `staleAfterMs` ago. A database without that comment is left alone (it may
 * be a run between CREATE and COMMENT, or not ours). Returns the names dropped.
 */
export async function dropStaleScratchDatabases(
  admin: Knex,
  now: Date,
  staleAfterMs = STALE_SCRATCH_MS,
): Promise<string[]> {
  const result = await admin.raw<{
    rows: Array<{ name: string; comment: string | null }>;
  }>(
    `SELECT datname AS name, shobj_description(oid, 'pg_database') AS comment
       FROM pg_database WHERE starts_with(datname, ?)`,
    [SCRATCH_PREFIX],
  );
  const dropped: string[] = [];
  for (const { name, comment } of result.rows) {
    if (!comment?.startsWith(COMMENT_PREFIX)) continue;
    const createdAt = Date.parse(comment.slice(COMMENT_PREFIX.length));
    if (Number.isNaN(createdAt) || now.getTime() - createdAt < staleAfterMs) {
      continue;
    }
    await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
    dropped.push(name);
  }
  return dropped;
}
