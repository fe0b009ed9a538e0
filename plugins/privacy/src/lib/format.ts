export { formatDateTime } from '@internal/plugin-ops-react';
import { PRIORITIES, type PriorityName } from '@internal/plugin-privacy-common';
import { HOUR_MS } from '@internal/plugin-ops-common';

/** A span of time, coarse enough to read at a glance: 40 min, 5 h, 3 d. */
export function formatSpan(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${Math.max(1, minutes)} min`;
  const hours = Math.round(ms / HOUR_MS);
  if (hours < 48) return `${hours} h`;
  return `${Math.round(hours / 24)} d`;
}

/** Hours with one decimal, e.g. 3.2 h; '—' when unknown. */
export function formatHours(hours: number | null | undefined): string {
  return hours === null || hours === undefined ? '—' : `${hours.toFixed(1)} h`;
}

export function formatPercent(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined
    ? 'no data'
    : `${(ratio * 100).toFixed(1)}%`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** The name of a numeric priority (10 → HIGH); the number when unnamed. */
export function priorityName(priority: number): string {
  const entry = Object.entries(PRIORITIES).find(
    ([, value]) => value === priority,
  );
  return entry ? (entry[0] as PriorityName) : String(priority);
}

/** A one-line summary of an audit event's data: `key=value, key=value`. */
export function summarizeData(
  data: Record<string, unknown>,
  maxLength = 160,
): string {
  const text = Object.entries(data ?? {})
    .filter(([, value]) => value !== undefined)
    .map(
      ([key, value]) =>
        `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`,
    )
    .join(', ');
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}
