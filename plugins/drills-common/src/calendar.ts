export type CalendarEntryStatus =
  | 'planned'
  | 'skipped'
  | 'swapped'
  | 'rescheduled';

/** One month's drill. */
export interface CalendarEntry {
  /** `YYYY-MM`. */
  month: string;
  /** The scenario drilled (or, when skipped, the one not drilled). */
  scenarioId: string;
  /** ISO 8601 UTC, e.g. `2026-03-03T09:00:00Z`. */
  startsAt: string;
  endsAt: string;
  /** `YYYY-MM-DD` in `timezone`. */
  localDate: string;
  /** `HH:mm` in `timezone`. */
  localTime: string;
  /** IANA timezone name. */
  timezone: string;
  /**
   * `skipped` wins; otherwise `rescheduled` when the date or time moved,
   * `swapped` when only the scenario changed, else `planned`.
   */
  status: CalendarEntryStatus;
  /** The reason of the latest override that applies. */
  reason?: string;
  /** The rotation's scenario, when the drilled scenario differs from it. */
  originalScenarioId?: string;
  /** The first Tuesday's date, when rescheduled. */
  originalLocalDate?: string;
  /** `at` of the latest override for the month (drives iCalendar SEQUENCE). */
  changedAt?: string;
  /** `by` of the latest override for the month. */
  changedBy?: string;
}
