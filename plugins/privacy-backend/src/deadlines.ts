import type {
  Jurisdiction,
  RequestType,
} from '@internal/plugin-privacy-common';
import type { PrivacyConfig } from './config';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

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
  if (jurisdiction === 'CCPA') {
    return new Date(receivedAt.getTime() + 45 * DAY_MS);
  }
  return addCalendarMonthsUtc(receivedAt, 1);
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
