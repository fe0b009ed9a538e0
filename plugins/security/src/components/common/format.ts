/** A rule's window in seconds as people say it: `90 s`, `5 min`, `2 h`, `1 d`. */
export function formatWindow(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  if (seconds % 3_600 === 0) return `${seconds / 3_600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** A count with thousands separators (`12,345`). */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

/** The words after an alert's status change: `acknowledged` → `Acknowledge`. */
export const STATUS_ACTION_LABELS = {
  acknowledged: 'Acknowledge',
  closed: 'Close',
  open: 'Reopen',
} as const;

/** Metadata table keys as written (the table would start-case them). */
export const asWritten = (key: string) => key;
