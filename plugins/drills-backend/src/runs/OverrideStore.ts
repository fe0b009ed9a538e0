import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { CalendarOverride, OverrideKind } from './types';

interface OverrideRow {
  month: string;
  kind: OverrideKind;
  scenario_id: string | null;
  date: string | null;
  reason: string;
  recorded_by: string;
  recorded_at: Date | string | number;
}

const toOverride = (row: OverrideRow): CalendarOverride => ({
  month: row.month,
  kind: row.kind,
  scenarioId: row.scenario_id ?? null,
  date: row.date ?? null,
  reason: row.reason,
  recordedBy: row.recorded_by,
  recordedAt: new Date(row.recorded_at).toISOString(),
});

/**
 * The calendar's overrides: an append-only log, applied in the order they
 * were recorded (see calendar/calendar.ts); the latest of a month is the one
 * in force for what it changes.
 */
export class OverrideStore {
  constructor(private readonly db: Knex) {}

  /** Appends an override; earlier ones of the month stay on record. */
  async record(
    override: Omit<CalendarOverride, 'recordedAt'> & { recordedAt: Date },
    tx: Knex | Knex.Transaction = this.db,
  ): Promise<CalendarOverride> {
    const row = {
      id: randomUUID(),
      month: override.month,
      kind: override.kind,
      scenario_id: override.scenarioId,
      date: override.date,
      reason: override.reason,
      recorded_by: override.recordedBy,
      recorded_at: override.recordedAt,
    };
    await tx('drill_calendar_overrides').insert(row);
    return { ...override, recordedAt: override.recordedAt.toISOString() };
  }

  async get(
    month: string,
    tx: Knex | Knex.Transaction = this.db,
  ): Promise<CalendarOverride | undefined> {
    const row: OverrideRow | undefined = await tx<OverrideRow>(
      'drill_calendar_overrides',
    )
      .where({ month })
      .orderBy([
        { column: 'recorded_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .first();
    return row ? toOverride(row) : undefined;
  }

  /** By month; `fromMonth` and `toMonth` (YYYY-MM) both inclusive. */
  async list(
    range: { fromMonth?: string; toMonth?: string } = {},
  ): Promise<CalendarOverride[]> {
    const query = this.db<OverrideRow>('drill_calendar_overrides').orderBy([
      { column: 'month' },
      { column: 'recorded_at' },
      { column: 'id' },
    ]);
    if (range.fromMonth) query.where('month', '>=', range.fromMonth);
    if (range.toMonth) query.where('month', '<=', range.toMonth);
    return ((await query) as OverrideRow[]).map(toOverride);
  }
}
