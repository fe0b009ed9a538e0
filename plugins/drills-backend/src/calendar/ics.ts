import ical, { escape, ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';
import type { CalendarEntry } from './calendar';
import { vtimezoneComponent } from './vtimezone';

/** Domain part of every event UID: `<YYYY-MM>@drills.ops-portal`. */
export const ICS_UID_DOMAIN = 'drills.ops-portal';

/** SEQUENCE counts seconds from this instant to the month's latest override. */
const SEQUENCE_EPOCH_MS = Date.UTC(2024, 0, 1);

export interface CalendarIcsOptions {
  /** Calendar name (NAME and X-WR-CALNAME). */
  name: string;
  /** Where the feed itself lives (URL). */
  url?: string;
  /** Link to a scenario's runbook, for DESCRIPTION and the event's URL. */
  runbookUrl?: (scenarioId: string) => string | undefined;
  /** Human title of a scenario; "database-failure-restore" -> "Database failure restore" when absent. */
  scenarioTitle?: (scenarioId: string) => string;
  /** DTSTAMP of entries never changed by an override; the clock when absent. */
  now?: Date;
  /** How often subscribers should refresh (REFRESH-INTERVAL); 6 hours when absent. */
  refreshSeconds?: number;
}

/** `<month>@drills.ops-portal`: one UID per month, so updates replace, not duplicate. */
export function icsUid(entry: Pick<CalendarEntry, 'month'>): string {
  return `${entry.month}@${ICS_UID_DOMAIN}`;
}

/**
 * The event's SEQUENCE: 0 for a month no override touched, else the seconds
 * from 2024-01-01 to the month's latest override. Overrides are append-only
 * and apply in order of time, so each change raises it (and it fits the
 * 32-bit INTEGER of RFC 5545 until 2092). A change of the settings alone
 * (start time, timezone) does not raise it; subscribers still see the new
 * DTSTART on their next refresh, as they replace the feed's events by UID.
 */
export function icsSequence(entry: Pick<CalendarEntry, 'changedAt'>): number {
  if (!entry.changedAt) {
    return 0;
  }
  const at = Date.parse(entry.changedAt);
  if (Number.isNaN(at)) {
    return 0;
  }
  return Math.max(1, Math.floor((at - SEQUENCE_EPOCH_MS) / 1000));
}

function defaultTitle(scenarioId: string): string {
  const words = scenarioId.split('-').join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function safeUrl(url: string | undefined): string | undefined {
  if (!url) {
    return undefined;
  }
  try {
    return new URL(url).toString();
  } catch {
    return undefined;
  }
}

function describe(
  entry: CalendarEntry,
  title: (id: string) => string,
  runbook: string | undefined,
): string {
  const minutes = Math.round(
    (Date.parse(entry.endsAt) - Date.parse(entry.startsAt)) / 60_000,
  );
  const lines = [
    `Monthly drill ${entry.month}: ${title(entry.scenarioId)} (${
      entry.scenarioId
    }).`,
    `${entry.localDate} ${entry.localTime} ${entry.timezone}, ${minutes} minutes.`,
  ];
  if (entry.status === 'skipped') {
    lines.push(`Skipped: ${entry.reason ?? 'no reason recorded'}`);
  } else {
    if (entry.originalScenarioId) {
      lines.push(
        `Swapped from ${title(entry.originalScenarioId)} (${
          entry.originalScenarioId
        }).`,
      );
    }
    if (entry.originalLocalDate) {
      lines.push(`Rescheduled from ${entry.originalLocalDate}.`);
    }
    if (entry.reason) {
      lines.push(`Reason: ${entry.reason}`);
    }
  }
  if (runbook) {
    lines.push(`Runbook: ${runbook}`);
  }
  return lines.join('\n');
}

/**
 * An RFC 5545 feed of the entries: one VEVENT per month with a stable UID,
 * DTSTART/DTEND in the entry's timezone (TZID, defined by a VTIMEZONE), and
 * SEQUENCE raised by every override. Skipped months stay in the feed as
 * STATUS:CANCELLED so subscribers who already have the event see it
 * cancelled instead of keeping a stale one; the others are CONFIRMED.
 */
export function calendarIcs(
  entries: readonly CalendarEntry[],
  options: CalendarIcsOptions,
): string {
  const now = options.now ?? new Date();
  const title = options.scenarioTitle ?? defaultTitle;
  const years = entries.map(entry => Number(entry.month.slice(0, 4)));
  const fromYear = Math.min(...years) - 1;
  const toYear = Math.max(...years) + 1;

  const calendar = ical({
    prodId: { company: 'ops-portal', product: 'drills' },
    // ical-generator writes NAME unescaped; it is TEXT (RFC 7986).
    name: escape(options.name, false),
    ttl: options.refreshSeconds ?? 6 * 60 * 60,
    // No calendar-wide timezone name: each event names its own TZID, and
    // DTSTAMP stays in UTC. The generator supplies the VTIMEZONEs.
    timezone: {
      name: null,
      generator: zone => vtimezoneComponent(zone, fromYear, toYear),
    },
  });
  const feedUrl = safeUrl(options.url);
  if (feedUrl) {
    calendar.url(feedUrl);
  }

  for (const entry of entries) {
    const runbook = safeUrl(options.runbookUrl?.(entry.scenarioId));
    const changed = entry.changedAt ? new Date(entry.changedAt) : undefined;
    calendar.createEvent({
      id: icsUid(entry),
      sequence: icsSequence(entry),
      stamp: changed ?? now,
      lastModified: changed ?? null,
      timezone: entry.timezone,
      start: DateTime.fromISO(entry.startsAt, { zone: entry.timezone }),
      end: DateTime.fromISO(entry.endsAt, { zone: entry.timezone }),
      summary: `Drill: ${title(entry.scenarioId)}`,
      description: describe(entry, title, runbook),
      url: runbook ?? null,
      status:
        entry.status === 'skipped'
          ? ICalEventStatus.CANCELLED
          : ICalEventStatus.CONFIRMED,
    });
  }
  // RFC 5545 ends every content line, the last one too, with CRLF.
  return `${calendar.toString()}\r\n`;
}
