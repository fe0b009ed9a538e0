import type { TimeOfDayWindow } from './types';

/**
 * Compiles a `timeOfDay` window to a test on an epoch-millisecond instant.
 * The local wall-clock time comes from `Intl` in the window's IANA zone, so
 * DST changes need no offsets; `[from, to)`, wrapping midnight when
 * `from > to` (22:00–06:00 holds 23:59 and 05:59, not 06:00).
 */
export function compileTimeOfDay(
  window: TimeOfDayWindow,
): (epochMs: number) => boolean {
  const from = minutesOf(window.from);
  const to = minutesOf(window.to);
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: window.timezone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  return epochMs => {
    let hour = 0;
    let minute = 0;
    for (const part of format.formatToParts(epochMs)) {
      if (part.type === 'hour') hour = Number(part.value);
      else if (part.type === 'minute') minute = Number(part.value);
    }
    const local = hour * 60 + minute;
    return from < to
      ? local >= from && local < to
      : local >= from || local < to;
  };
}

function minutesOf(clock: string): number {
  const [hours, minutes] = clock.split(':').map(Number);
  return hours * 60 + minutes;
}
