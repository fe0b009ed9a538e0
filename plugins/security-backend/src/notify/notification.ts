import { clientAddress } from '@internal/plugin-ops-node';
import type { SecuritySeverity } from '@internal/plugin-security-common';
import type { ExternalAlert } from '@internal/plugin-slo-common';
import { isIP } from 'node:net';
import type { SeverityRouting } from '../config';

/** What a notification is built from: the stored alert, never its events. */
export interface NotifiedAlert {
  id: string;
  ruleId: string;
  title: string;
  severity: SecuritySeverity;
  groupBy: string;
  groupKey: string;
  firstAt: string;
  lastAt: string;
  count: number;
  windowSeconds?: number;
}

export interface NotificationOptions {
  /** The owning group the portal inbox notifies. */
  entityRef: string;
  severities: SeverityRouting;
}

/**
 * An IP address reduced to its network: IPv4 to /24, IPv6 to /48. Anything
 * else (a user ref) is not an address: undefined.
 */
export function maskAddress(address: string): string | undefined {
  const value = clientAddress(address);
  const version = isIP(value);
  if (version === 4) {
    return `${value.split('.').slice(0, 3).join('.')}.0/24`;
  }
  if (version === 6) {
    const groups = expandIPv6(value);
    return groups ? `${groups.slice(0, 3).join(':')}::/48` : undefined;
  }
  return undefined;
}

/** The eight groups of an IPv6 address (lower case, no leading zeros). */
function expandIPv6(address: string): string[] | undefined {
  let text = address.toLowerCase().replace(/%.*$/, '');
  // An embedded IPv4 tail (::ffff:1.2.3.4) as two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number);
    text = text.replace(
      v4[0],
      `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`,
    );
  }
  const [head, tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return undefined;
  const groups = [...left, ...Array(missing).fill('0'), ...right];
  return groups.map(g => parseInt(g, 16).toString(16));
}

/** What the events of each seed rule are, in a sentence. */
const NOUNS: Record<string, [one: string, many: string]> = {
  'brute-force': ['failed authentication', 'failed authentications'],
  'dsar-abuse': ['privacy request', 'privacy requests'],
  'export-anomaly': ['export or download', 'exports or downloads'],
  'privileged-after-hours': [
    'privileged ops action after hours',
    'privileged ops actions after hours',
  ],
};

const hhmm = (iso: string) => iso.slice(11, 16);
const day = (iso: string) => iso.slice(0, 10);

function between(firstAt: string, lastAt: string): string {
  if (firstAt === lastAt) return `at ${hhmm(firstAt)} UTC on ${day(firstAt)}`;
  if (day(firstAt) === day(lastAt)) {
    return `between ${hhmm(firstAt)} and ${hhmm(lastAt)} UTC on ${day(
      firstAt,
    )}`;
  }
  return `between ${day(firstAt)} ${hhmm(firstAt)} and ${day(lastAt)} ${hhmm(
    lastAt,
  )} UTC`;
}

function whom(alert: NotifiedAlert): string {
  const network = maskAddress(alert.groupKey);
  if (network) return `from ${network}`;
  return /^user\.|^user$/.test(alert.groupBy)
    ? 'by one user'
    : 'from one source';
}

/**
 * The one-line summary of an alert for notifiers: counts, the masked
 * network or "one user", and the times; never a raw address or a user id.
 * e.g. "6 failed authentications from 203.0.113.0/24 between 14:02 and
 * 14:04 UTC on 2026-12-02".
 */
export function notificationSummary(alert: NotifiedAlert): string {
  const [one, many] = NOUNS[alert.ruleId] ?? [
    'matching event',
    'matching events',
  ];
  return `${alert.count} ${alert.count === 1 ? one : many} ${whom(
    alert,
  )} ${between(alert.firstAt, alert.lastAt)}`;
}

function windowText(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** The body of `POST /api/slo/external-alerts` for an alert fired or resolved. */
export function externalAlertOf(
  alert: NotifiedAlert,
  event: 'fired' | 'resolved',
  at: string,
  options: NotificationOptions,
): ExternalAlert {
  const fields: Record<string, string> = {
    rule: alert.ruleId,
    severity: alert.severity,
    count: String(alert.count),
  };
  if (alert.windowSeconds) fields.window = windowText(alert.windowSeconds);
  return {
    source: 'security',
    alertId: alert.id,
    event,
    severity: options.severities[alert.severity],
    title: alert.title.slice(0, 200),
    summary:
      event === 'fired'
        ? notificationSummary(alert)
        : `Closed: ${notificationSummary(alert)}`,
    at,
    entityRef: options.entityRef,
    link: `/security/alerts/${alert.id}`,
    fields,
  };
}
