import { fieldReader, FieldReader, groupKeyOf } from './fieldPath';
import { KeyWindow } from './keyWindow';
import { LruMap } from './lruMap';
import { compileMatch, EventPredicate } from './matcher';
import { parseCorrelationRules } from './ruleSchema';
import { compileTimeOfDay } from './timeOfDay';
import type {
  CorrelationRule,
  CorrelationStats,
  EcsDocument,
  RuleStats,
  SecurityAlert,
} from './types';

export interface CorrelationEngineOptions {
  /** Keys tracked per rule; beyond it the least recently seen key is evicted. Default 100 000. */
  maxKeysPerRule?: number;
  /** Event documents kept per key for the alert (the newest ones). Default 20. */
  maxEventsPerAlert?: number;
  /** How far (seconds) an event may lag the newest one seen and still count. Default 60. */
  lateToleranceSeconds?: number;
  /** The clock for events without a valid `@timestamp` (epoch ms). Default `Date.now`. */
  now?: () => number;
}

interface CompiledRule {
  rule: CorrelationRule;
  windowMs: number;
  matches: EventPredicate;
  inHours?: (epochMs: number) => boolean;
  groupBy: Array<{ path: string; read: FieldReader }>;
  /** The group keys' windows, least recently seen first. */
  keys: LruMap<KeyWindow>;
  stats: Omit<RuleStats, 'keys'>;
}

/**
 * Streaming correlation over ECS events by event time (`@timestamp`): per
 * rule and group key a sliding window of the last `threshold` matching
 * events; `push` returns the alerts an event raises. Memory is bounded by
 * `maxKeysPerRule` × (`threshold` times + `maxEventsPerAlert` documents) per
 * rule, whatever the input. See README.md for the exact semantics.
 */
export class CorrelationEngine {
  private readonly rules: CompiledRule[];
  private readonly maxKeys: number;
  private readonly maxEvents: number;
  private readonly toleranceMs: number;
  private readonly now: () => number;
  private watermark = -Infinity;
  private counters = {
    events: 0,
    late: 0,
    outOfOrder: 0,
    untimed: 0,
    alerts: 0,
  };

  constructor(
    rules: CorrelationRule[],
    options: CorrelationEngineOptions = {},
  ) {
    this.maxKeys = positive(
      options.maxKeysPerRule ?? 100_000,
      'maxKeysPerRule',
    );
    this.maxEvents = positive(
      options.maxEventsPerAlert ?? 20,
      'maxEventsPerAlert',
    );
    this.toleranceMs = (options.lateToleranceSeconds ?? 60) * 1000;
    if (!(this.toleranceMs >= 0)) {
      throw new Error('lateToleranceSeconds must be 0 or more');
    }
    this.now = options.now ?? Date.now;
    this.rules = parseCorrelationRules(rules).map(rule => ({
      rule,
      windowMs: rule.windowSeconds * 1000,
      matches: compileMatch(rule.match),
      inHours: rule.timeOfDay ? compileTimeOfDay(rule.timeOfDay) : undefined,
      groupBy: [rule.groupBy]
        .flat()
        .map(path => ({ path, read: fieldReader(path) })),
      keys: new LruMap(),
      stats: {
        matched: 0,
        ungrouped: 0,
        suppressed: 0,
        storedTimes: 0,
        storedEvents: 0,
        evicted: 0,
        expired: 0,
        alerts: 0,
      },
    }));
  }

  /** Feeds one event; returns the alerts it raised (usually none). */
  push(event: EcsDocument): SecurityAlert[] {
    this.counters.events++;
    let time = timestampOf(event);
    if (time === undefined) {
      this.counters.untimed++;
      time = this.now();
    }
    if (time < this.watermark - this.toleranceMs) {
      this.counters.late++;
      return [];
    }
    if (time < this.watermark) this.counters.outOfOrder++;
    else this.watermark = time;

    let alerts: SecurityAlert[] | undefined;
    for (const compiled of this.rules) {
      const alert = this.apply(compiled, event, time);
      if (alert) (alerts ??= []).push(alert);
    }
    return alerts ?? [];
  }

  /**
   * Whether at least one rule's `match` accepts the event (its time of day
   * and group key aside): a pure test that changes no window or counter.
   */
  matches(event: EcsDocument): boolean {
    return this.rules.some(compiled => compiled.matches(event));
  }

  stats(): CorrelationStats {
    const rules: Record<string, RuleStats> = {};
    for (const { rule, keys, stats } of this.rules) {
      rules[rule.id] = { ...stats, keys: keys.size };
    }
    return { ...this.counters, rules };
  }

  private apply(
    compiled: CompiledRule,
    event: EcsDocument,
    time: number,
  ): SecurityAlert | undefined {
    const { rule, stats, keys } = compiled;
    if (!compiled.matches(event)) return undefined;
    if (compiled.inHours && !compiled.inHours(time)) return undefined;
    stats.matched++;

    let groupBy = '';
    let key: string | undefined;
    for (const candidate of compiled.groupBy) {
      key = groupKeyOf(candidate.read(event));
      groupBy = candidate.path;
      if (key !== undefined) break;
    }
    if (key === undefined) {
      stats.ungrouped++;
      return undefined;
    }

    let window = keys.get(key);
    if (!window && keys.size >= this.maxKeys) {
      // Full: the least recently seen key's window is emptied and reused.
      window = keys.recycleOldest(key)!;
      stats.evicted++;
      stats.storedTimes -= window.times.length;
      stats.storedEvents -= window.stored;
      window.clear();
    } else if (!window) {
      window = new KeyWindow(rule.threshold, compiled.windowMs, this.maxEvents);
      keys.add(key, window);
    }

    let alert: SecurityAlert | undefined;
    const timesBefore = window.times.length;
    const eventsBefore = window.stored;
    if (time < window.mutedUntil) {
      stats.suppressed++;
      if (time > window.lastSeen) window.lastSeen = time;
    } else {
      const fired = window.insert(time, event);
      if (fired) {
        const firstAt = new Date(window.times[fired.first]).toISOString();
        alert = {
          ruleId: rule.id,
          title: rule.title,
          severity: rule.severity,
          groupBy,
          groupKey: key,
          dedupKey: `${rule.id}:${key}:${firstAt}`,
          firstAt,
          lastAt: new Date(window.times[fired.last]).toISOString(),
          count: rule.threshold,
          events: window.events
            .slice(fired.first, fired.last + 1)
            .filter((e): e is EcsDocument => e !== undefined),
        };
        window.reset(window.times[fired.first] + compiled.windowMs);
        stats.alerts++;
        this.counters.alerts++;
      } else {
        window.prune(this.horizon(compiled));
      }
    }
    stats.storedTimes += window.times.length - timesBefore;
    stats.storedEvents += window.stored - eventsBefore;

    this.expire(compiled);
    return alert;
  }

  /** Event times at or before this can join no future window of the rule. */
  private horizon(compiled: CompiledRule): number {
    return this.watermark - this.toleranceMs - compiled.windowMs;
  }

  /**
   * Drops up to two idle keys at the least recently seen end, whose events
   * and muted window have passed, so memory follows the active keys. (The
   * `maxKeysPerRule` bound is kept where keys are added.)
   */
  private expire(compiled: CompiledRule): void {
    const { keys, stats } = compiled;
    const horizon = this.horizon(compiled);
    for (let i = 0; i < 2; i++) {
      const oldest = keys.oldest();
      if (!oldest) return;
      const { key, value: window } = oldest;
      const idle =
        window.lastSeen <= horizon &&
        window.mutedUntil <= this.watermark - this.toleranceMs;
      if (!idle) return;
      keys.delete(key);
      stats.storedTimes -= window.times.length;
      stats.storedEvents -= window.stored;
      stats.expired++;
    }
  }
}

function timestampOf(event: EcsDocument): number | undefined {
  const value: unknown = event['@timestamp'];
  let time = NaN;
  if (typeof value === 'string') time = Date.parse(value);
  else if (typeof value === 'number') time = value;
  else if (value instanceof Date) time = value.getTime();
  return Number.isFinite(time) ? time : undefined;
}

function positive(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer`);
  }
  return value;
}
