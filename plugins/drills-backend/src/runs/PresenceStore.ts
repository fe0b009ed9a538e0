import type { Knex } from 'knex';
import type { RunViewer } from './types';

type Time = Date | string | number;

const iso = (value: Time) => new Date(value).toISOString();

/**
 * Who has a run open: one row per run and person, its time the last
 * heartbeat. Kept in the database so that every replica answers alike.
 */
export class PresenceStore {
  constructor(private readonly db: Knex) {}

  /** Records a heartbeat; true when the person was not seen since `since` (they just arrived). */
  async touch(
    runId: string,
    entityRef: string,
    at: Date,
    since: Date,
  ): Promise<boolean> {
    return this.db.transaction(async tx => {
      const before = await tx('drill_presence')
        .select('seen_at')
        .where({ run_id: runId, entity_ref: entityRef })
        .first();
      await tx('drill_presence')
        .insert({ run_id: runId, entity_ref: entityRef, seen_at: at })
        .onConflict(['run_id', 'entity_ref'])
        .merge(['seen_at']);
      return !before || new Date(before.seen_at) < since;
    });
  }

  /**
   * Forgets that the person has the run open (they closed it); true when
   * they were shown as looking, seen since `since`.
   */
  async remove(
    runId: string,
    entityRef: string,
    since: Date,
  ): Promise<boolean> {
    return this.db.transaction(async tx => {
      const before = await tx('drill_presence')
        .select('seen_at')
        .where({ run_id: runId, entity_ref: entityRef })
        .first();
      if (!before) return false;
      await tx('drill_presence')
        .where({ run_id: runId, entity_ref: entityRef })
        .delete();
      return new Date(before.seen_at) >= since;
    });
  }

  /** Everyone seen on the run since `since`, most recent first. */
  async viewers(runId: string, since: Date): Promise<RunViewer[]> {
    const rows = await this.db('drill_presence')
      .select('entity_ref', 'seen_at')
      .where({ run_id: runId })
      .andWhere('seen_at', '>=', since)
      .orderBy([
        { column: 'seen_at', order: 'desc' },
        { column: 'entity_ref', order: 'asc' },
      ]);
    return rows.map(row => ({
      entityRef: row.entity_ref,
      seenAt: iso(row.seen_at),
    }));
  }
}
