import { DateTime, FixedOffsetZone, IANAZone } from 'luxon';

/**
 * A VTIMEZONE component (RFC 5545 section 3.6.5) for `zone`, covering the
 * years `fromYear` to `toYear`, derived from the same timezone data luxon
 * uses to compute the drills' UTC times (the runtime's Intl), so the feed's
 * TZID definitions can never disagree with `startsAt`.
 *
 * Each offset change in the range becomes its own STANDARD or DAYLIGHT
 * observance with an explicit DTSTART (no RRULE): exact for the range, and
 * a rule change in the tz database is picked up without code changes. An
 * opening observance at the start of the range covers times before the
 * first change; a zone without changes gets that one observance only.
 * ical-generator takes this as its `timezone.generator`; it has no timezone
 * database of its own.
 */
export function vtimezoneComponent(
  zone: string,
  fromYear: number,
  toYear: number,
): string | null {
  if (!IANAZone.isValidZone(zone)) {
    return null;
  }
  const tz = IANAZone.create(zone);
  const start = DateTime.utc(fromYear, 1, 1).toMillis();
  const end = DateTime.utc(toYear + 1, 1, 1).toMillis();
  const minute = 60_000;
  const day = 24 * 60 * minute;

  const observances: string[] = [
    observance(zone, start, tz.offset(start), tz.offset(start)),
  ];
  for (let t = start; t < end; t += day) {
    const before = tz.offset(t);
    const after = tz.offset(t + day);
    if (before === after) {
      continue;
    }
    // The first minute of the day at which the new offset holds.
    let lo = t / minute;
    let hi = (t + day) / minute;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (tz.offset(mid * minute) === before) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    observances.push(observance(zone, hi * minute, before, after));
  }

  return [
    'BEGIN:VTIMEZONE',
    `TZID:${zone}`,
    ...observances,
    'END:VTIMEZONE',
  ].join('\r\n');
}

function observance(
  zone: string,
  at: number,
  offsetFrom: number,
  offsetTo: number,
): string {
  const after = DateTime.fromMillis(at, { zone });
  const kind = after.isInDST ? 'DAYLIGHT' : 'STANDARD';
  // DTSTART is the onset in the local time that held before it.
  const onset = DateTime.fromMillis(at, {
    zone: FixedOffsetZone.instance(offsetFrom),
  }).toFormat("yyyyLLdd'T'HHmmss");
  const name = abbreviation(after);
  return [
    `BEGIN:${kind}`,
    `DTSTART:${onset}`,
    `TZOFFSETFROM:${formatOffset(offsetFrom)}`,
    `TZOFFSETTO:${formatOffset(offsetTo)}`,
    ...(name ? [`TZNAME:${name}`] : []),
    `END:${kind}`,
  ].join('\r\n');
}

/** RFC 5545 UTC-OFFSET in whole minutes: `+0100`, `-0430`. */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  const hours = String(Math.floor(abs / 60)).padStart(2, '0');
  const mins = String(Math.round(abs % 60)).padStart(2, '0');
  return `${sign}${hours}${mins}`;
}

/** A letters-only abbreviation (CET, EDT) where Intl has one, else none. */
function abbreviation(instant: DateTime): string | undefined {
  for (const locale of ['en-US', 'en-GB']) {
    const name = instant.setLocale(locale).offsetNameShort;
    if (name && /^[A-Z]{2,6}$/.test(name)) {
      return name;
    }
  }
  return undefined;
}
