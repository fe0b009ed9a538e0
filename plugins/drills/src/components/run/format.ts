import { RUNBOOK_PHASE_HEADINGS } from '@internal/plugin-drills-common';

/** Milliseconds as `H:MM:SS`; negative spans (a clock behind the server) read as 0:00:00. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${hours}:${pad(minutes)}:${pad(seconds)}`;
}

/** Minutes with at most one decimal, as a person reads them: `12`, `12.5`. */
export function formatMinutes(minutes: number): string {
  return String(Math.round(minutes * 10) / 10);
}

/**
 * An entity ref as a short name: users by their name (`user:default/alice`
 * → `alice`), others with their kind (`group:default/sre` → `group:sre`).
 */
export function shortRef(ref: string | null | undefined): string {
  if (!ref) return 'someone';
  const match = /^(?:([^:]+):)?(?:([^/]+)\/)?(.+)$/.exec(ref);
  if (!match) return ref;
  const [, kind, , name] = match;
  return !kind || kind.toLocaleLowerCase('en-US') === 'user'
    ? name
    : `${kind.toLocaleLowerCase('en-US')}:${name}`;
}

const timeOfDay = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

/** An ISO timestamp as the reader's local time of day. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : timeOfDay.format(date);
}

/** `2026-12` → `December 2026`. */
export function formatMonth(month: string): string {
  const [year, m] = month.split('-').map(Number);
  if (!year || !m) return month;
  return new Intl.DateTimeFormat('en-US', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(year, m - 1, 1)));
}

export function phaseTitle(phase: string): string {
  return (RUNBOOK_PHASE_HEADINGS as Record<string, string>)[phase] ?? phase;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
