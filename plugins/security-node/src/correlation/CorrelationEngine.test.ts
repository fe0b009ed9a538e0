import { CorrelationEngine } from './CorrelationEngine';
import { seedRules, SEED_RULES } from './seedRules';
import { ecs, generateLog } from './__testUtils__/generateLog';
import type { EcsDocument, SecurityAlert } from './types';

const T0 = Date.parse('2026-03-02T10:00:00Z');
const s = (seconds: number) => T0 + seconds * 1000;
const bruteForce = SEED_RULES.filter(rule => rule.id === 'brute-force');

function run(
  engine: CorrelationEngine,
  events: EcsDocument[],
): SecurityAlert[] {
  return events.flatMap(event => engine.push(event));
}

describe('CorrelationEngine', () => {
  it('raises exactly the expected alerts on a generated log with attacks mixed in', () => {
    const { events, expected } = generateLog();
    const engine = new CorrelationEngine(
      seedRules({ timezone: 'Europe/Berlin' }),
    );
    const alerts = run(engine, events);

    const key = (a: { ruleId: string; groupKey: string; firstAt: string }) =>
      `${a.ruleId} ${a.groupKey} ${a.firstAt}`;
    expect(alerts.map(key).sort()).toEqual(expected.map(key).sort());
    expect(new Set(alerts.map(a => a.dedupKey)).size).toBe(alerts.length);

    const stats = engine.stats();
    expect(events.length).toBeGreaterThan(20_000);
    expect(stats.events).toBe(events.length);
    expect(stats.alerts).toBe(expected.length);
    expect(stats.outOfOrder).toBeGreaterThan(0);
    expect(stats.late).toBe(0);
    expect(stats.rules['brute-force'].matched).toBeGreaterThan(1000);
    expect(stats.rules['brute-force'].ungrouped).toBe(0);
  });

  it('is the same log and the same alerts for the same seed', () => {
    const small = { ips: 10, users: 10 };
    const first = generateLog({ ...small, seed: 5 });
    expect(generateLog({ ...small, seed: 5 })).toEqual(first);
    expect(generateLog({ ...small, seed: 6 }).events).not.toEqual(first.events);
  });

  it('fires on the 5th failure within 5 minutes, with the triggering events', () => {
    const engine = new CorrelationEngine(bruteForce);
    const four = [0, 30, 60, 90].map(t => ecs.authFailure(s(t), '192.0.2.1'));
    expect(run(engine, four)).toEqual([]);

    const fifth = ecs.access(s(299.999), '192.0.2.1', 401);
    const [alert, ...more] = engine.push(fifth);
    expect(more).toEqual([]);
    expect(alert).toEqual({
      ruleId: 'brute-force',
      title: expect.stringContaining('Brute force'),
      severity: 'high',
      groupBy: 'client.ip',
      groupKey: '192.0.2.1',
      dedupKey: `brute-force:192.0.2.1:${new Date(s(0)).toISOString()}`,
      firstAt: new Date(s(0)).toISOString(),
      lastAt: new Date(s(299.999)).toISOString(),
      count: 5,
      events: [...four, fifth],
    });
  });

  it('does not fire when the 5th comes exactly windowSeconds after the first', () => {
    const engine = new CorrelationEngine(bruteForce);
    const events = [0, 30, 60, 90, 300].map(t =>
      ecs.authFailure(s(t), '192.0.2.1'),
    );
    expect(run(engine, events)).toEqual([]);
    // …but a 6th within 5 minutes of the 2nd completes the window 30–301 s.
    const [alert] = engine.push(ecs.authFailure(s(301), '192.0.2.1'));
    expect(alert.firstAt).toBe(new Date(s(30)).toISOString());
    expect(alert.lastAt).toBe(new Date(s(301)).toISOString());
  });

  it('counts other IPs apart and ignores events that do not match', () => {
    const engine = new CorrelationEngine(bruteForce);
    const events = [
      ...[0, 1, 2].map(t => ecs.authFailure(s(t), '192.0.2.1')),
      ...[3, 4].map(t => ecs.authFailure(s(t), '192.0.2.2')),
      ...[5, 6, 7].map(t => ecs.access(s(t), '192.0.2.1', 403)),
    ];
    expect(run(engine, events)).toEqual([]);
    expect(engine.stats().rules['brute-force']).toMatchObject({
      matched: 5,
      keys: 2,
    });
  });

  it('gives a sustained attack one alert per window, not one per event', () => {
    const engine = new CorrelationEngine(bruteForce);
    // One failure a second for 11 minutes: windows start at 0 s, 300 s, 600 s.
    const events = Array.from({ length: 660 }, (_, t) =>
      ecs.authFailure(s(t), '192.0.2.1'),
    );
    const alerts = run(engine, events);
    expect(alerts.map(a => [a.firstAt, a.lastAt])).toEqual(
      [0, 300, 600].map(t => [
        new Date(s(t)).toISOString(),
        new Date(s(t + 4)).toISOString(),
      ]),
    );
    expect(engine.stats().rules['brute-force'].suppressed).toBe(660 - 15);
  });

  it('fires the after-hours rule once per user and hour', () => {
    const engine = new CorrelationEngine(
      seedRules({ timezone: 'Europe/Berlin' }),
    );
    const night = Date.parse('2026-01-10T22:15:00Z'); // 23:15 in Berlin
    const alerts = run(engine, [
      ecs.adminAction(night, 'user:default/a'),
      ecs.adminAction(night + 1000, 'user:default/b'),
      ecs.adminAction(night + 59 * 60_000, 'user:default/a'),
      ecs.adminAction(night + 60 * 60_000, 'user:default/a'),
    ]);
    expect(alerts.map(a => [a.groupKey, a.firstAt])).toEqual([
      ['user:default/a', '2026-01-10T22:15:00.000Z'],
      ['user:default/b', '2026-01-10T22:15:01.000Z'],
      ['user:default/a', '2026-01-10T23:15:00.000Z'],
    ]);
  });

  it('takes events out of order within the tolerance and drops later ones', () => {
    const engine = new CorrelationEngine(bruteForce, {
      lateToleranceSeconds: 60,
    });
    expect(
      run(engine, [
        ecs.authFailure(s(100), '192.0.2.1'),
        ecs.authFailure(s(200), '192.0.2.1'),
        ecs.authFailure(s(150), '192.0.2.1'),
        ecs.authFailure(s(139), '192.0.2.1'), // 61 s behind: late
        ecs.authFailure(s(140), '192.0.2.1'), // exactly 60 s behind: counted
      ]),
    ).toEqual([]);
    const [alert] = engine.push(ecs.authFailure(s(199), '192.0.2.1'));
    expect(alert.events.map(e => e['@timestamp'])).toEqual(
      [100, 140, 150, 199, 200].map(t => new Date(s(t)).toISOString()),
    );
    expect(engine.stats()).toMatchObject({ late: 1, outOfOrder: 3, events: 6 });
  });

  it('counts events without a valid @timestamp at the injected clock', () => {
    const engine = new CorrelationEngine(bruteForce, { now: () => s(10) });
    const event = ecs.authFailure(0, '192.0.2.1');
    const alerts = run(
      engine,
      Array.from({ length: 5 }, () => ({ ...event, '@timestamp': 'garbage' })),
    );
    expect(alerts[0].firstAt).toBe(new Date(s(10)).toISOString());
    expect(engine.stats().untimed).toBe(5);
  });

  it('forgets idle keys once their window has passed', () => {
    const engine = new CorrelationEngine(bruteForce, {
      lateToleranceSeconds: 0,
    });
    run(
      engine,
      [0, 1, 2].map(i => ecs.authFailure(s(i), `192.0.2.${i}`)),
    );
    expect(engine.stats().rules['brute-force'].keys).toBe(3);
    // At most two idle keys are dropped per event (constant work per push).
    run(engine, [ecs.authFailure(s(400), '192.0.2.9')]);
    expect(engine.stats().rules['brute-force']).toMatchObject({
      keys: 2,
      expired: 2,
      storedTimes: 2,
    });
    run(engine, [ecs.authFailure(s(401), '192.0.2.9')]);
    expect(engine.stats().rules['brute-force']).toMatchObject({
      keys: 1,
      expired: 3,
      storedTimes: 2,
    });
  });

  it('keeps memory bounded under a million distinct IPs in an hour', () => {
    const maxKeysPerRule = 10_000;
    const engine = new CorrelationEngine(bruteForce, {
      maxKeysPerRule,
      maxEventsPerAlert: 3,
    });
    const failure = ecs.authFailure(0, '').event;
    let maxKeys = 0;
    let maxTimes = 0;
    let maxDocs = 0;
    let second = -1;
    let timestamp = '';
    for (let i = 0; i < 1_000_000; i++) {
      if (Math.floor(i / 278) !== second) {
        second = Math.floor(i / 278); // 1 000 000 events in an hour
        timestamp = new Date(s(second)).toISOString();
      }
      engine.push({
        '@timestamp': timestamp,
        ecs: { version: '9.4.0' },
        event: failure,
        source: { ip: `10.${i >>> 16}.${(i >>> 8) & 255}.${i & 255}` },
      });
      if (i % 10_000 === 9_999) {
        for (const rule of Object.values(engine.stats().rules)) {
          maxKeys = Math.max(maxKeys, rule.keys);
          maxTimes = Math.max(maxTimes, rule.storedTimes);
          maxDocs = Math.max(maxDocs, rule.storedEvents);
        }
      }
    }
    const stats = engine.stats();
    expect(maxKeys).toBe(maxKeysPerRule);
    expect(maxTimes).toBeLessThanOrEqual(maxKeysPerRule * 5);
    expect(maxDocs).toBeLessThanOrEqual(maxKeysPerRule * 3);
    expect(stats.rules['brute-force']).toMatchObject({
      matched: 1_000_000,
      keys: maxKeysPerRule,
      evicted: 1_000_000 - maxKeysPerRule,
    });
    expect(stats.alerts).toBe(0);
  });
});
