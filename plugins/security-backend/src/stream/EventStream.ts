import type { EcsDocument } from '@internal/plugin-security-node';
import type { Knex } from 'knex';

export const SECURITY_STREAM_EVENTS_TABLE = 'security_stream_events';
export const SECURITY_STREAM_CURSOR_TABLE = 'security_stream_cursor';

const EVENTS = SECURITY_STREAM_EVENTS_TABLE;
const CURSOR = SECURITY_STREAM_CURSOR_TABLE;

/** One event of the stream, in id order. */
export interface StreamEvent {
  id: number;
  document: EcsDocument;
}

/** Where the detector stands. */
export interface StreamCursor {
  lastId: number;
  /** The last detector turn that advanced it (or undefined: none yet). */
  runAt?: Date;
}

/** Events without a valid `@timestamp` (the pipeline always sets one) are kept by receipt. */
function eventTimeOf(document: EcsDocument, fallback: number): number {
  const time = Date.parse(String(document['@timestamp']));
  return Number.isFinite(time) ? time : fallback;
}

/**
 * The shared event stream in the plugin's database: every replica appends
 * the events a rule could match; the detector reads them in id order after
 * the persisted cursor (one row).
 */
export class EventStream {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  /**
   * Appends the documents in one insert. On PostgreSQL the insert holds the
   * table's EXCLUSIVE lock (reads go on) until it commits: an id is taken
   * before its insert commits, so without it a lower id could become
   * visible after a higher one, and the cursor would pass it by. Appends
   * are one per batch per replica, so waiting for each other costs little.
   * (SQLite has one writer at a time.)
   */
  async append(documents: EcsDocument[], receivedAt = Date.now()) {
    if (documents.length === 0) return;
    const rows = documents.map(document => ({
      event_at: eventTimeOf(document, receivedAt),
      document: JSON.stringify(document),
    }));
    await this.#db.transaction(async trx => {
      if (trx.client.config.client === 'pg') {
        await trx.raw('LOCK TABLE ?? IN EXCLUSIVE MODE', [EVENTS]);
      }
      await trx(EVENTS).insert(rows);
    });
  }

  /** Up to `limit` events after `afterId` (and at most `upToId`), in id order. */
  async read(
    afterId: number,
    limit: number,
    upToId = Number.MAX_SAFE_INTEGER,
  ): Promise<StreamEvent[]> {
    const rows: Array<{ id: number | string; document: string }> =
      await this.#db(EVENTS)
        .select('id', 'document')
        .where('id', '>', afterId)
        .andWhere('id', '<=', upToId)
        .orderBy('id')
        .limit(limit);
    return rows.map(row => ({
      id: Number(row.id),
      document: JSON.parse(row.document),
    }));
  }

  async cursor(): Promise<StreamCursor> {
    const row = await this.#db(CURSOR).where({ id: 1 }).first();
    return {
      lastId: Number(row?.last_id ?? 0),
      ...(row?.run_at !== null &&
        row?.run_at !== undefined && { runAt: new Date(Number(row.run_at)) }),
    };
  }

  /**
   * Moves the cursor from `fromId` to `toId`; false (nothing changed) when
   * another detector moved it meanwhile.
   */
  async advance(fromId: number, toId: number, runAt: Date): Promise<boolean> {
    const updated = await this.#db(CURSOR)
      .where({ id: 1, last_id: fromId })
      .update({ last_id: toId, run_at: runAt.getTime() });
    return updated === 1;
  }

  /** Events after the cursor, not yet through the rules. */
  async lag(): Promise<number> {
    const { lastId } = await this.cursor();
    const [{ count }] = await this.#db(EVENTS)
      .where('id', '>', lastId)
      .count({ count: '*' });
    return Number(count);
  }

  /** Deletes events whose time is before `before`; returns how many. */
  async deleteOlderThan(before: Date): Promise<number> {
    return this.#db(EVENTS).where('event_at', '<', before.getTime()).delete();
  }
}
