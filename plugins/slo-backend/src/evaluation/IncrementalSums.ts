import type { SloStatus } from '@internal/plugin-slo-common';
import type { Knex } from 'knex';
import { Counts, MINUTE_MS, evaluate } from '../engine';
import type { StoredObjective } from '../objectives/ObjectiveStore';
import { SLI_MINUTES_TABLE } from '../samples/SampleStore';
import {
  AnsweringSums,
  evaluateAt,
  latestMinute,
  rangesAsked,
  sumRangesOfMany,
  toEvaluable,
  toStatus,
} from './evaluateObjective';

const toError = (error: unknown) =>
  error instanceof Error ? error : new Error(String(error));

/** Minutes whose values are kept per objective, to apply late changes to them exactly. */
const RECENT_MINUTES = 15;

/** Rows written this long before the last refresh are read again (commits land late). */
const WATERMARK_MARGIN_MS = 5_000;

/** What an objective's last evaluation summed, kept for the next minute. */
interface Entry {
  at: number;
  /** The objective as evaluated; a changed objective is evaluated afresh. */
  spec: string;
  /** Sum of each range `${from}:${to}` (fromExclusive, toInclusive]. */
  sums: Map<string, Counts>;
  /** Values of the latest minutes, by minute. */
  recent: Map<number, Counts>;
  dataThrough: number | null;
}

interface MinuteRow {
  objective_ref: string;
  minute: Date | string | number;
  good: number | string;
  total: number | string;
}

const toMs = (value: Date | string | number) => new Date(value).getTime();
const rangeKey = (from: number, to: number) => `${from}:${to}`;

/**
 * The live evaluation's memory: what each objective's windows summed at the
 * previous minute. The next minute then costs two small queries for all
 * objectives (the minutes entering and leaving each window; the rows
 * written since the last run) instead of re-reading 30 days per objective:
 * a window (a, b] is the previous (a−1m, b−1m] minus minute a plus minute b;
 * a calendar window since a fixed start adds minute b. A late change to a
 * recent minute is applied to every range holding it; a change to an older
 * minute, a skipped minute, a changed objective or timeslices budgeting
 * evaluate that objective afresh from the store (`evaluateAt`). Either way
 * `evaluate` runs on the sums: the numbers are the same as from the store.
 */
export class IncrementalSums {
  readonly #entries = new Map<string, Entry>();
  #watermark: number | undefined;

  constructor(
    private readonly db: Knex,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** How the last `evaluateAll` went: objectives evaluated from memory and afresh. */
  lastRun = { incremental: 0, fresh: 0 };

  /**
   * Evaluates every objective as of minute `at`. Returns each objective's
   * status, or the error that stopped it (the others go on).
   */
  async evaluateAll(
    objectives: readonly StoredObjective[],
    at: number,
  ): Promise<Map<string, SloStatus | Error>> {
    const startedAt = this.now().getTime();
    const changed = await this.#changes(at);
    const results = new Map<string, SloStatus | Error>();
    const incremental: Array<{
      stored: StoredObjective;
      entry: Entry;
      ranges: Array<[number, number]>;
    }> = [];
    const fresh: StoredObjective[] = [];

    for (const stored of objectives) {
      const ref = stored.objective.id;
      const entry = this.#entries.get(ref);
      const spec = JSON.stringify([
        stored.objective,
        stored.window,
        stored.tiers,
      ]);
      const usable =
        entry &&
        entry.spec === spec &&
        entry.at === at - MINUTE_MS &&
        stored.objective.budgeting.method === 'Occurrences' &&
        !changed.stale.has(ref) &&
        this.#applyLateChanges(entry, changed.recent.get(ref) ?? []);
      if (usable) {
        incremental.push({
          stored,
          entry,
          ranges: rangesAsked(toEvaluable(stored), at),
        });
      } else {
        this.#entries.delete(ref);
        fresh.push(stored);
      }
    }

    // One query for the minutes entering and leaving every window.
    const needed = new Set<number>();
    for (const { ranges } of incremental) {
      for (const [a, b] of ranges) {
        needed.add(a);
        needed.add(b);
      }
    }
    const values = await this.#valuesAt(
      [...needed],
      incremental.map(i => i.stored.objective.id),
    );

    for (const { stored, entry, ranges } of incremental) {
      const ref = stored.objective.id;
      const value = (m: number) =>
        values.get(`${ref}@${m}`) ?? { good: 0, total: 0 };
      const sums = new Map<string, Counts>();
      let complete = true;
      for (const [a, b] of ranges) {
        const rolling = entry.sums.get(rangeKey(a - MINUTE_MS, b - MINUTE_MS));
        const fixedStart = entry.sums.get(rangeKey(a, b - MINUTE_MS));
        const entering = value(b);
        if (rolling) {
          const leaving = value(a);
          sums.set(rangeKey(a, b), {
            good: rolling.good - leaving.good + entering.good,
            total: rolling.total - leaving.total + entering.total,
          });
        } else if (fixedStart) {
          sums.set(rangeKey(a, b), {
            good: fixedStart.good + entering.good,
            total: fixedStart.total + entering.total,
          });
        } else {
          complete = false; // e.g. a new calendar period: start afresh
          break;
        }
      }
      if (!complete) {
        fresh.push(stored);
        continue;
      }
      const latest = values.get(`${ref}@${at}`);
      entry.recent.set(at, latest ?? { good: 0, total: 0 });
      for (const m of entry.recent.keys()) {
        if (m <= at - RECENT_MINUTES * MINUTE_MS) entry.recent.delete(m);
      }
      entry.at = at;
      entry.sums = sums;
      if (latest) entry.dataThrough = Math.max(entry.dataThrough ?? at, at);
      const evaluation = evaluate(
        toEvaluable(stored),
        new AnsweringSums(sums),
        at,
      );
      results.set(ref, toStatus(stored, evaluation, entry.dataThrough));
    }

    for (const [ref, outcome] of await this.#freshAll(fresh, at)) {
      results.set(ref, outcome);
    }
    // Objectives no longer evaluated are forgotten.
    const refs = new Set(objectives.map(o => o.objective.id));
    for (const ref of this.#entries.keys()) {
      if (!refs.has(ref)) this.#entries.delete(ref);
    }
    this.#watermark = startedAt;
    this.lastRun = {
      incremental: objectives.length - fresh.length,
      fresh: fresh.length,
    };
    return results;
  }

  /** Forgets everything: the next run evaluates every objective from the store. */
  reset(): void {
    this.#entries.clear();
    this.#watermark = undefined;
  }

  /**
   * Evaluates objectives afresh from the store and keeps their sums for the
   * next minute. Objectives that sum the same ranges (the same window and
   * tiers) are summed together: per 500 of them one query of minutes, one
   * of hours and one of their recent minutes. Timeslices objectives are
   * evaluated one by one and not kept.
   */
  async #freshAll(
    objectives: readonly StoredObjective[],
    at: number,
  ): Promise<Map<string, SloStatus | Error>> {
    const results = new Map<string, SloStatus | Error>();
    const groups = new Map<
      string,
      { ranges: Array<[number, number]>; members: StoredObjective[] }
    >();
    for (const stored of objectives) {
      if (stored.objective.budgeting.method !== 'Occurrences') {
        results.set(
          stored.objective.id,
          await evaluateAt(this.db, stored, at).catch(toError),
        );
        continue;
      }
      const ranges = rangesAsked(toEvaluable(stored), at);
      const key = JSON.stringify(ranges);
      const group = groups.get(key) ?? { ranges, members: [] };
      group.members.push(stored);
      groups.set(key, group);
    }
    for (const { ranges, members } of groups.values()) {
      try {
        const refs = members.map(m => m.objective.id);
        const sums = await sumRangesOfMany(this.db, refs, ranges);
        const recent = await this.#recentValues(refs, at);
        for (const stored of members) {
          const ref = stored.objective.id;
          const answers = new Map(
            ranges.map(([a, b], i) => [rangeKey(a, b), sums.get(ref)![i]]),
          );
          const { values, latest } = recent.get(ref)!;
          const dataThrough = latest ?? (await latestMinute(this.db, ref));
          const evaluation = evaluate(
            toEvaluable(stored),
            new AnsweringSums(answers),
            at,
          );
          results.set(ref, toStatus(stored, evaluation, dataThrough));
          this.#entries.set(ref, {
            at,
            spec: JSON.stringify([
              stored.objective,
              stored.window,
              stored.tiers,
            ]),
            sums: answers,
            recent: values,
            dataThrough,
          });
        }
      } catch (error) {
        for (const stored of members) {
          results.set(stored.objective.id, toError(error));
        }
      }
    }
    return results;
  }

  /**
   * Applies rows of an objective written since the last run to its sums:
   * a changed recent minute is added to every range holding it (its
   * difference); false when a row changes a minute too old to know.
   */
  #applyLateChanges(entry: Entry, rows: readonly MinuteRow[]): boolean {
    for (const row of rows) {
      const minute = toMs(row.minute);
      if (minute > entry.at) continue; // read as an entering minute
      const known = entry.recent.get(minute);
      if (!known) return false;
      const good = Number(row.good);
      const total = Number(row.total);
      const delta = { good: good - known.good, total: total - known.total };
      if (delta.good === 0 && delta.total === 0) continue;
      for (const [key, counts] of entry.sums) {
        const [from, to] = key.split(':').map(Number);
        if (from < minute && minute <= to) {
          counts.good += delta.good;
          counts.total += delta.total;
        }
      }
      entry.recent.set(minute, { good, total });
      entry.dataThrough = Math.max(entry.dataThrough ?? minute, minute);
    }
    return true;
  }

  /**
   * The stored minutes of objectives in the last RECENT_MINUTES up to `at`
   * (absent ones as 0/0), and each one's latest among them.
   */
  async #recentValues(
    refs: readonly string[],
    at: number,
  ): Promise<
    Map<string, { values: Map<number, Counts>; latest: number | null }>
  > {
    const byRef = new Map(
      refs.map(ref => {
        const values = new Map<number, Counts>();
        for (let i = 0; i < RECENT_MINUTES; i++) {
          values.set(at - i * MINUTE_MS, { good: 0, total: 0 });
        }
        return [ref, { values, latest: null as number | null }];
      }),
    );
    for (let c = 0; c < refs.length; c += 500) {
      const rows: MinuteRow[] = await this.db(SLI_MINUTES_TABLE)
        .whereIn('objective_ref', refs.slice(c, c + 500))
        .andWhere('minute', '>', new Date(at - RECENT_MINUTES * MINUTE_MS))
        .andWhere('minute', '<=', new Date(at))
        .select('objective_ref', 'minute', 'good', 'total');
      for (const row of rows) {
        const entry = byRef.get(row.objective_ref);
        if (!entry) continue;
        const minute = toMs(row.minute);
        entry.values.set(minute, {
          good: Number(row.good),
          total: Number(row.total),
        });
        entry.latest = Math.max(entry.latest ?? minute, minute);
      }
    }
    return byRef;
  }

  /**
   * What was written since the last run (and a margin before it): the
   * objectives with a changed minute older than the recent ones (evaluated
   * afresh; only their refs are read, so a large backfill costs no memory),
   * and the rows of recent minutes, by objective (applied exactly).
   */
  async #changes(
    at: number,
  ): Promise<{ stale: Set<string>; recent: Map<string, MinuteRow[]> }> {
    const recent = new Map<string, MinuteRow[]>();
    if (this.#watermark === undefined) return { stale: new Set(), recent };
    const since = new Date(this.#watermark - WATERMARK_MARGIN_MS);
    const recentFrom = new Date(at - RECENT_MINUTES * MINUTE_MS);
    const stale: Array<{ objective_ref: string }> = await this.db(
      SLI_MINUTES_TABLE,
    )
      .where('updated_at', '>', since)
      .andWhere('minute', '<', recentFrom)
      .distinct('objective_ref');
    const rows: MinuteRow[] = await this.db(SLI_MINUTES_TABLE)
      .where('updated_at', '>', since)
      .andWhere('minute', '>=', recentFrom)
      .andWhere('minute', '<', new Date(at))
      .select('objective_ref', 'minute', 'good', 'total');
    for (const row of rows) {
      const list = recent.get(row.objective_ref) ?? [];
      list.push(row);
      recent.set(row.objective_ref, list);
    }
    return { stale: new Set(stale.map(r => r.objective_ref)), recent };
  }

  /** The stored counts of the given minutes, keyed `${ref}@${minute}`. */
  async #valuesAt(
    minutes: number[],
    refs: string[],
  ): Promise<Map<string, Counts>> {
    const values = new Map<string, Counts>();
    if (minutes.length === 0 || refs.length === 0) return values;
    const wanted = new Set(refs);
    for (let i = 0; i < minutes.length; i += 200) {
      const rows: MinuteRow[] = await this.db(SLI_MINUTES_TABLE)
        .whereIn(
          'minute',
          minutes.slice(i, i + 200).map(m => new Date(m)),
        )
        .select('objective_ref', 'minute', 'good', 'total');
      for (const row of rows) {
        if (!wanted.has(row.objective_ref)) continue;
        values.set(`${row.objective_ref}@${toMs(row.minute)}`, {
          good: Number(row.good),
          total: Number(row.total),
        });
      }
    }
    return values;
  }
}
