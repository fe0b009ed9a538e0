import type {
  Jurisdiction,
  RequestType,
} from '@internal/plugin-privacy-common';
import type { PrivacyConfig } from './config';
import { HOUR_MS, DAY_MS } from '@internal/plugin-ops-common';

/** The days CCPA allows for an answer, and again for its extension. */
const CCPA_DAYS = 45;

const addDays = (date: Date, days: number) =>
  new Date(date.getTime() + days * DAY_MS);

/** The internal SLA: a fixed number of hours after intake, by request type. */
export function slaDueAt(
  type: RequestType,
  receivedAt: Date,
  sla: PrivacyConfig['sla'],
): Date {
  const hours = type === 'export' ? sla.exportHours : sla.deleteHours;
  return new Date(receivedAt.getTime() + hours * HOUR_MS);
}

/**
 * The legal deadline: GDPR (and UK GDPR) allow one calendar month, ending on
 * the same day of the next month or on its last day when that day does not
 * exist (31 January -> 28/29 February); CCPA allows 45 days.
 */
export function legalDueAt(jurisdiction: Jurisdiction, receivedAt: Date): Date {
  return jurisdiction === 'CCPA'
    ? addDays(receivedAt, CCPA_DAYS)
    : addCalendarMonthsUtc(receivedAt, 1);
}

/**
 * The legal deadline after its one extension: GDPR (and UK GDPR) by two
 * further months, CCPA by 45 further days.
 */
export function extendedLegalDueAt(
  jurisdiction: Jurisdiction,
  dueAt: Date,
): Date {
  return jurisdiction === 'CCPA'
    ? addDays(dueAt, CCPA_DAYS)
    : addCalendarMonthsUtc(dueAt, 2);
}

export function addCalendarMonthsUtc(date: Date, months: number): Date {
  const result = new Date(date.getTime());
  const day = result.getUTCDate();
  result.setUTCDate(1);
  result.setUTCMonth(result.getUTCMonth() + months);
  const lastDay = new Date(
    Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0),
  ).getUTCDate();
  result.setUTCDate(Math.min(day, lastDay));
  return result;
}
