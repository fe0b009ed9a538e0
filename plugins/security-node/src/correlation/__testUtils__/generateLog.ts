import type { EcsDocument } from '../types';

/** A small seeded PRNG (mulberry32): the same seed gives the same log. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Events as normalization would produce them (nested ECS). */
export const ecs = {
  authFailure: (at: number, ip: string): EcsDocument => ({
    '@timestamp': iso(at),
    ecs: { version: '9.4.0' },
    event: {
      kind: 'event',
      category: ['authentication'],
      type: ['start'],
      action: 'auth.signin',
      outcome: 'failure',
    },
    source: { ip },
  }),
  access: (at: number, ip: string, status: number): EcsDocument => ({
    '@timestamp': iso(at),
    ecs: { version: '9.4.0' },
    event: {
      kind: 'event',
      category: ['web'],
      type: ['access'],
      outcome: status < 400 ? 'success' : 'failure',
    },
    http: { request: { method: 'GET' }, response: { status_code: status } },
    url: { path: '/api/catalog/entities' },
    client: { ip },
  }),
  privacyRequest: (at: number, ip: string): EcsDocument => ({
    '@timestamp': iso(at),
    ecs: { version: '9.4.0' },
    event: {
      kind: 'event',
      category: ['web'],
      type: ['creation'],
      action: 'privacy.request.received',
      outcome: 'success',
    },
    source: { ip },
  }),
  download: (at: number, userId: string): EcsDocument => ({
    '@timestamp': iso(at),
    ecs: { version: '9.4.0' },
    event: {
      kind: 'event',
      category: ['file'],
      type: ['access'],
      action: 'privacy.export.downloaded',
      outcome: 'success',
    },
    user: { id: userId },
  }),
  adminAction: (at: number, userId: string): EcsDocument => ({
    '@timestamp': iso(at),
    ecs: { version: '9.4.0' },
    event: {
      kind: 'event',
      category: ['iam'],
      type: ['admin', 'change'],
      action: 'ops.rollback.started',
      outcome: 'success',
    },
    user: { id: userId },
  }),
};

function iso(at: number): string {
  return new Date(at).toISOString();
}

/** An alert the generated log must raise: rule, key and window start. */
export interface ExpectedAlert {
  ruleId: string;
  groupKey: string;
  firstAt: string;
}

export interface GeneratedLog {
  events: EcsDocument[];
  expected: ExpectedAlert[];
}

/**
 * Two days of portal traffic from 2026-03-28 00:00Z (Berlin switches to
 * summer time on the 29th at 01:00Z) for the seed rules with after hours in
 * Europe/Berlin: normal traffic that stays below every threshold by
 * construction (failures from an IP at least 2 minutes apart, privacy
 * requests 20 minutes apart, at most 20 downloads per user and day, admin
 * actions 10:00–17:00 Berlin time), known attacks mixed in, and the alerts
 * they must raise. Adjacent events of different sources are swapped now and
 * then (out of order by seconds).
 */
export function generateLog(
  options: { seed?: number; ips?: number; users?: number } = {},
): GeneratedLog {
  const random = seededRandom(options.seed ?? 13);
  const start = Date.parse('2026-03-28T00:00:00Z');
  const span = 48 * HOUR;
  const pick = (n: number) => Math.floor(random() * n);
  const events: EcsDocument[] = [];

  // Normal traffic: 250 IPs, 150 users by default.
  const ips = Array.from(
    { length: options.ips ?? 250 },
    (_, i) => `10.1.${i >> 8}.${i & 255}`,
  );
  const users = Array.from(
    { length: options.users ?? 150 },
    (_, i) => `user:default/u${i}`,
  );
  for (const ip of ips) {
    let at = start + pick(10 * MINUTE);
    let lastFailure = -Infinity;
    while (at < start + span) {
      const roll = random();
      if (roll < 0.05 && at - lastFailure >= 2 * MINUTE) {
        events.push(
          random() < 0.5 ? ecs.authFailure(at, ip) : ecs.access(at, ip, 401),
        );
        lastFailure = at;
      } else {
        events.push(ecs.access(at, ip, roll < 0.08 ? 404 : 200));
      }
      at += 30 * SECOND + pick(20 * MINUTE);
    }
    for (
      let t = start + pick(HOUR);
      t < start + span;
      t += 20 * MINUTE + pick(6 * HOUR)
    ) {
      events.push(ecs.privacyRequest(t, ip));
    }
  }
  for (const user of users) {
    for (let day = 0; day < 2; day++) {
      const count = pick(21);
      for (let i = 0; i < count; i++) {
        events.push(
          ecs.download(start + day * 24 * HOUR + pick(24 * HOUR), user),
        );
      }
      // Admin actions 08:00–15:00Z: 09–16 Berlin in winter, 10–17 in summer.
      if (random() < 0.3) {
        events.push(
          ecs.adminAction(
            start + day * 24 * HOUR + 8 * HOUR + pick(7 * HOUR),
            user,
          ),
        );
      }
    }
  }

  const expected: ExpectedAlert[] = [];
  const expect = (ruleId: string, groupKey: string, firstAt: number) =>
    expected.push({ ruleId, groupKey, firstAt: iso(firstAt) });

  // Brute force: 6 failures in 2 minutes, half of them 401 access lines.
  const burst = start + 3 * HOUR + 17 * SECOND;
  for (let i = 0; i < 6; i++) {
    const at = burst + i * 20 * SECOND;
    events.push(
      i % 2
        ? ecs.access(at, '203.0.113.5', 401)
        : ecs.authFailure(at, '203.0.113.5'),
    );
  }
  expect('brute-force', '203.0.113.5', burst);
  // A sustained attack, one failure every 24 s for 12 minutes: one alert per
  // window (0 s: muted until 300 s; the next window starts at 312 s and fills
  // at 408 s; 624–696 s are only 4 events).
  const sustained = start + 20 * HOUR;
  for (let i = 0; i < 30; i++) {
    events.push(ecs.authFailure(sustained + i * 24 * SECOND, '198.51.100.7'));
  }
  expect('brute-force', '198.51.100.7', sustained);
  expect('brute-force', '198.51.100.7', sustained + 312 * SECOND);
  // A near miss: 4 failures in 5 minutes, then a 5th exactly 5 minutes after the first.
  const near = start + 5 * HOUR;
  for (const offset of [0, 60, 120, 180, 300]) {
    events.push(ecs.authFailure(near + offset * SECOND, '198.51.100.9'));
  }

  // DSAR abuse: 12 requests in 33 minutes from one IP.
  const dsar = start + 30 * HOUR + 5 * MINUTE;
  for (let i = 0; i < 12; i++) {
    events.push(ecs.privacyRequest(dsar + i * 3 * MINUTE, '192.0.2.44'));
  }
  expect('dsar-abuse', '192.0.2.44', dsar);

  // Export anomaly: 120 downloads in 6 hours by one (otherwise normal) user.
  const exfil = start + 26 * HOUR;
  for (let i = 0; i < 120; i++) {
    events.push(ecs.download(exfil + i * 3 * MINUTE, 'user:default/mallory'));
  }
  expect('export-anomaly', 'user:default/mallory', exfil);

  // After hours in Berlin: 23:30 on the 28th (CET, 22:30Z) twice within the
  // hour → one alert; 05:59 on the 29th (CEST, 03:59Z) → alert; 06:00 CEST
  // (04:00Z) → none; 02:30Z on the 29th is 04:30 CEST → alert.
  const night = Date.parse('2026-03-28T22:30:00Z');
  events.push(ecs.adminAction(night, 'user:default/eve'));
  events.push(ecs.adminAction(night + 20 * MINUTE, 'user:default/eve'));
  expect('privileged-after-hours', 'user:default/eve', night);
  const dawn = Date.parse('2026-03-29T03:59:00Z');
  events.push(ecs.adminAction(dawn, 'user:default/owl'));
  expect('privileged-after-hours', 'user:default/owl', dawn);
  events.push(
    ecs.adminAction(Date.parse('2026-03-29T04:00:00Z'), 'user:default/lark'),
  );
  const dst = Date.parse('2026-03-29T02:30:00Z');
  events.push(ecs.adminAction(dst, 'user:default/bat'));
  expect('privileged-after-hours', 'user:default/bat', dst);

  const times = new Map(events.map(event => [event, timeOf(event)]));
  events.sort((a, b) => times.get(a)! - times.get(b)!);
  for (let i = 1; i < events.length; i++) {
    if (random() < 0.05 && sourceOf(events[i - 1]) !== sourceOf(events[i])) {
      [events[i - 1], events[i]] = [events[i], events[i - 1]];
      i++;
    }
  }
  return { events, expected };
}

function timeOf(event: EcsDocument): number {
  return Date.parse(String(event['@timestamp']));
}

function sourceOf(event: EcsDocument): string | undefined {
  return event.source?.ip ?? event.client?.ip ?? event.user?.id;
}
