/*
 * The SLO evaluation benchmark. From the repository root, after
 * `. scripts/bootstrap.sh` (RUN = node --require
 * @backstage/cli-node/config/nodeTransform.cjs bench/slo/run.ts):
 *
 *   RUN                                   # 1000 objectives × 30 days, Prometheus with 100
 *   RUN --objectives 200 --prom-objectives 50
 *   RUN --prom-objectives 0               # the engine only
 *
 * Options: --objectives N (1000), --days D (30), --prom-objectives M (100;
 * 0 skips Prometheus), --prom-cycles K (3 rule evaluations of every group),
 * --full-runs (3), --minute-runs (5), --load-concurrency (2).
 *
 * Needs PostgreSQL (BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING,
 * default postgresql://postgres@127.0.0.1:5432) and, for the side-by-side
 * part, prometheus and promtool (PROMETHEUS_BIN, PROMTOOL_BIN, default
 * /usr/bin). Creates its own databases (slo_bench_<time>_<random>_*) and a
 * temporary directory, and removes them at the end. See README.md.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { objectiveUrl } from '../../plugins/slo-backend/src/alerts/notifications';
import { periodMinutes } from '../../plugins/slo-backend/src/objectives/tiers';
import {
  generateRulesForAll,
  toRulesFileYaml,
} from '../../plugins/slo-backend/src/rules';
import {
  pushObjectiveYaml,
  sloServices,
} from '../../plugins/slo-backend/src/testing/sloTestDatabase';
import {
  BenchDatabase,
  bulkLoad,
  createDatabase,
  runId,
  sweepStale,
  uniqueName,
} from './database';
import {
  PROMETHEUS,
  PROMTOOL,
  backfill,
  promQueries,
  runPrometheus,
  writeOpenMetrics,
} from './prometheus';
import { SHAPES, countsAt, shapeOf } from './traffic';
import {
  CountingLogger,
  MINUTE_MS,
  MemoryPeak,
  fmtMs,
  median,
  parseArgs,
  since,
  timed,
} from './util';

const AIMS = { fullMs: 2000, minuteMs: 50, peakRssMb: 1024 };

const log = (line: string) => process.stdout.write(`${line}\n`);

/** The objective name (and id) of index i: `bench-0001`. */
const refOf = (i: number) => `bench-${String(i).padStart(4, '0')}`;

/** A Prometheus-fed OpenSLO objective over the generated counters. */
function promObjectiveYaml(name: string): string {
  const q = promQueries(name);
  return pushObjectiveYaml(name)
    .replace(
      /good:\n(\s+)metricSource:\n\s+type: Push\n\s+spec: \{\}/,
      (_, indent) =>
        `good:\n${indent}metricSource:\n${indent}  type: Prometheus\n${indent}  spec:\n${indent}    query: '${q.good}'`,
    )
    .replace(
      /total:\n(\s+)metricSource:\n\s+type: Push\n\s+spec: \{\}/,
      (_, indent) =>
        `total:\n${indent}metricSource:\n${indent}  type: Prometheus\n${indent}  spec:\n${indent}    query: '${q.total}'`,
    );
}

interface Clock {
  ms: number;
}

async function services(
  knex: Knex,
  files: Array<{ file: string; text: string }>,
  clock: Clock,
  logger: CountingLogger,
) {
  return sloServices(knex, { files, now: () => new Date(clock.ms), logger });
}

/** Counts SQL statements on a knex instance while `fn` runs. */
async function countingQueries<T>(
  knex: Knex,
  fn: () => Promise<T>,
  keep?: (sql: string, bindings: unknown[]) => void,
): Promise<{ value: T; queries: number }> {
  let queries = 0;
  const listener = (q: { sql: string; bindings?: unknown[] }) => {
    queries += 1;
    keep?.(q.sql, q.bindings ?? []);
  };
  knex.on('query', listener);
  try {
    return { value: await fn(), queries };
  } finally {
    knex.removeListener('query', listener);
  }
}

async function checkTraffic(
  knex: Knex,
  n: number,
  toMinute: number,
): Promise<string> {
  let checked = 0;
  for (let i = 0; i < Math.min(4, n); i++) {
    const rows: Array<{ m: string; good: string; total: string }> = (
      await knex.raw(
        `SELECT (extract(epoch from minute) / 60)::bigint AS m, good, total
         FROM slo_sli_minutes WHERE objective_ref = ? AND minute > ?
         ORDER BY minute`,
        [refOf(i), new Date(toMinute - 3000 * MINUTE_MS)],
      )
    ).rows;
    for (const r of rows) {
      const want = countsAt(i, Number(r.m));
      if (want.good !== Number(r.good) || want.total !== Number(r.total)) {
        throw new Error(
          `generated counts differ between SQL and TypeScript: ${refOf(
            i,
          )} minute ${r.m}: SQL ${r.good}/${r.total}, TS ${want.good}/${
            want.total
          }`,
        );
      }
      checked += 1;
    }
  }
  return `${checked} minutes of 4 objectives (one per shape) agree between the SQL and TypeScript generators`;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const num = (name: string, fallback: number, min = 1) => {
    const value = args[name];
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min) {
      throw new Error(`--${name} must be an integer ≥ ${min}, got ${value}`);
    }
    return parsed;
  };
  const N = num('objectives', 1000);
  const days = num('days', 30);
  const M = Math.min(num('prom-objectives', 100, 0), N);
  const promCycles = num('prom-cycles', 3);
  const fullRuns = num('full-runs', 3);
  const minuteRuns = num('minute-runs', 5);
  const loadConcurrency = num('load-concurrency', 2);

  const memory = new MemoryPeak();
  const started = performance.now();
  log(
    `SLO evaluation benchmark, ${new Date().toISOString()}, node ${
      process.version
    }, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${(
      totalmem() /
      2 ** 30
    ).toFixed(0)} GB RAM, load average ${loadavg()
      .map(x => x.toFixed(2))
      .join(' ')}`,
  );
  const swept = await sweepStale();
  if (swept.length)
    log(`removed leftovers of earlier runs: ${swept.join(', ')}`);

  const run = runId();
  const logger = new CountingLogger(log);
  const cleanups: Array<() => Promise<void>> = [];
  const cleanup = async () => {
    while (cleanups.length) await cleanups.pop()!().catch(() => {});
  };
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    log('interrupted: cleaning up');
    cleanup().finally(() => process.exit(130));
  });

  const table: string[][] = [];
  const notes: string[] = [];
  try {
    // ---------------------------------------------------------------- engine
    const at = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS - MINUTE_MS;
    const clock: Clock = { ms: at + MINUTE_MS + 30_000 };
    const db: BenchDatabase = await createDatabase(uniqueName('main', run));
    cleanups.push(() => db.drop());
    const files = Array.from({ length: N }, (_, i) => ({
      file: `${refOf(i)}.yaml`,
      text: pushObjectiveYaml(refOf(i), { target: 0.999, window: `${days}d` }),
    }));
    const first = await services(db.knex, files, clock, logger);
    const objectives = (await first.objectives.all()).map(s => ({
      ref: s.objective.id,
      index: Number(/bench-(\d+)/.exec(s.objective.id)![1]),
    }));
    if (objectives.length !== N) {
      throw new Error(
        `expected ${N} objectives, stored ${
          objectives.length
        }: ${JSON.stringify(first.discovered.problems.slice(0, 3))}`,
      );
    }
    log(
      `\n== engine: ${N} push-fed objectives (${SHAPES.map(
        (s, k) =>
          `${objectives.filter(o => shapeOf(o.index) === k).length} ${s}`,
      ).join(', ')}), target 0.999, ${days}-day rolling window, default tiers`,
    );
    log(
      `evaluated at ${new Date(
        at,
      ).toISOString()}; loading ${days} days of minutes ending there…`,
    );
    const load = await timed(async () => {
      let lastPct = 0;
      return bulkLoad(
        db.knex,
        objectives,
        {
          fromExclusive: at - days * 1440 * MINUTE_MS,
          toInclusive: at,
          source: 'push',
        },
        {
          concurrency: loadConcurrency,
          progress: done => {
            const pct = Math.floor((done / N) * 10) * 10;
            if (pct > lastPct) {
              lastPct = pct;
              log(`  ${pct} % (${fmtMs(since(started))} since start)`);
            }
          },
        },
      );
    });
    const vacuum = await timed(() =>
      db.knex.raw('VACUUM (ANALYZE) slo_sli_minutes'),
    );
    await db.knex.raw('CHECKPOINT');
    const size = (
      await db.knex.raw(
        `SELECT pg_size_pretty(pg_table_size('slo_sli_minutes')) AS heap,
                pg_size_pretty(pg_indexes_size('slo_sli_minutes')) AS idx`,
      )
    ).rows[0];
    log(
      `loaded ${load.value.toLocaleString('en')} rows in ${fmtMs(load.ms)} (${(
        load.value /
        (load.ms / 1000)
      ).toFixed(
        0,
      )} rows/s, INSERT … SELECT generate_series, ${loadConcurrency} at once), VACUUM ANALYZE + CHECKPOINT ${fmtMs(
        vacuum.ms,
      )}; table ${size.heap}, indexes ${size.idx} (setup, not measured)`,
    );
    log(await checkTraffic(db.knex, N, at));

    // Baseline 1: reading every objective's window once, summed in SQL.
    const groupBy: number[] = [];
    for (let k = 0; k < 3; k++) {
      const r = await timed(() =>
        db.knex.raw(
          `SELECT objective_ref, sum(good) AS good, sum(total) AS total
           FROM slo_sli_minutes WHERE minute > ? AND minute <= ?
           GROUP BY objective_ref`,
          [new Date(at - days * 1440 * MINUTE_MS), new Date(at)],
        ),
      );
      groupBy.push(r.ms);
    }
    log(
      `baseline, one GROUP BY over all ${days}-day windows: ${groupBy
        .map(fmtMs)
        .join(', ')}`,
    );

    // Baseline 2: a full evaluation over zero minutes (60 days before the data).
    const noop: number[] = [];
    for (let k = 0; k < fullRuns; k++) {
      const s = await services(db.knex, files, clock, logger);
      const r = await timed(() =>
        s.evaluation.evaluateAll(at - 2 * days * 1440 * MINUTE_MS),
      );
      noop.push(r.ms);
    }
    log(
      `baseline, evaluateAll over no minutes (${N} objectives, same statements, empty ranges): ${noop
        .map(fmtMs)
        .join(', ')}`,
    );

    // (a) Full evaluation from the store, a fresh service each time.
    const full: number[] = [];
    let sumSql: { sql: string; bindings: unknown[] } | undefined;
    let service = first.evaluation;
    let samples = first.samples;
    let statementsPerRun = 0;
    for (let k = 0; k < fullRuns; k++) {
      const s = await services(db.knex, files, clock, logger);
      const r = await timed(() =>
        countingQueries(
          db.knex,
          () => s.evaluation.evaluateAll(at),
          (sql, bindings) => {
            if (!sumSql && /sum\(/i.test(sql) && /slo_sli_minutes/.test(sql)) {
              sumSql = { sql, bindings };
            }
          },
        ),
      );
      full.push(r.ms);
      statementsPerRun = r.value.queries;
      const { evaluated, failed, fired, resolved } = r.value.value;
      log(
        `  full evaluation ${k + 1}: ${fmtMs(
          r.ms,
        )} (evaluated ${evaluated}, failed ${failed}, fired ${fired}, resolved ${resolved}; ${
          r.value.queries
        } SQL statements)`,
      );
      service = s.evaluation;
      samples = s.samples;
    }
    const firing = (
      await db.knex.raw(
        `SELECT tier, count(*)::int AS n FROM slo_alerts WHERE state = 'firing' GROUP BY tier ORDER BY tier`,
      )
    ).rows as Array<{ tier: string; n: number }>;
    log(
      `  firing after the full evaluation: ${
        firing.map(f => `${f.tier} ${f.n}`).join(', ') || 'none'
      }`,
    );

    // (b) One incremental minute on the same service instance.
    const minute: number[] = [];
    const writes: number[] = [];
    for (let k = 1; k <= minuteRuns; k++) {
      const t = at + k * MINUTE_MS;
      clock.ms = t + MINUTE_MS + 30_000;
      const w = await timed(async () => {
        for (const o of objectives) {
          const c = countsAt(o.index, t / MINUTE_MS);
          await samples.upsertMinutes(
            o.ref,
            [{ minute: new Date(t), ...c }],
            'push',
          );
        }
      });
      writes.push(w.ms);
      const r = await timed(() =>
        countingQueries(db.knex, () => service.evaluateAll(t)),
      );
      minute.push(r.ms);
      const { evaluated, failed, fired, resolved } = r.value.value;
      log(
        `  minute +${k}: wrote ${N} minutes in ${fmtMs(
          w.ms,
        )} (upsertMinutes, one call per objective), evaluateAll ${fmtMs(
          r.ms,
        )} (evaluated ${evaluated}, failed ${failed}, fired ${fired}, resolved ${resolved}; ${
          r.value.queries
        } SQL statements)`,
      );
    }
    const engineMemory = memory.peak();

    // Where the time of one objective goes: the per-objective sum query.
    if (sumSql) {
      const text = sumSql.sql.replace(/\$\d+/g, '?');
      const plan = (
        await db.knex.raw(
          `EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) ${text}`,
          sumSql.bindings as Knex.RawBinding[],
        )
      ).rows.map((r: Record<string, string>) => r['QUERY PLAN']) as string[];
      log(`\nEXPLAIN ANALYZE of one objective's window sums (${refOf(0)}):`);
      for (const line of plan) log(`  ${line}`);
    }

    const med = median(full);
    const medMinute = median(minute);
    table.push(
      [
        `full evaluation, ${N} objectives × ${days} d (median of ${fullRuns})`,
        fmtMs(med),
        `GROUP BY ${fmtMs(median(groupBy))}; no-minutes eval ${fmtMs(
          median(noop),
        )}`,
        `≤ ${fmtMs(AIMS.fullMs)}`,
        med <= AIMS.fullMs ? 'meets' : 'MISSES',
      ],
      [
        `one incremental minute, same instance (median of ${minuteRuns})`,
        fmtMs(medMinute),
        `no-minutes eval ${fmtMs(median(noop))}`,
        `≤ ${fmtMs(AIMS.minuteMs)}`,
        medMinute <= AIMS.minuteMs ? 'meets' : 'MISSES',
      ],
      [
        `peak RSS of the bench process (engine part)`,
        `${engineMemory.rssMb.toFixed(0)} MB`,
        `heap used peak ${engineMemory.heapUsedMb.toFixed(0)} MB`,
        `< ${AIMS.peakRssMb} MB`,
        engineMemory.rssMb < AIMS.peakRssMb ? 'meets' : 'MISSES',
      ],
    );
    notes.push(
      `full evaluation runs: ${full
        .map(fmtMs)
        .join(', ')}; ${statementsPerRun} SQL statements per run (${(
        statementsPerRun / N
      ).toFixed(1)} per objective)`,
      `incremental minutes: ${minute
        .map(fmtMs)
        .join(', ')}; writing the minute (setup) took ${fmtMs(
        median(writes),
      )} median`,
      `GROUP BY runs: ${groupBy.map(fmtMs).join(', ')}; no-minutes runs: ${noop
        .map(fmtMs)
        .join(', ')}`,
    );
    await db.drop();
    cleanups.pop();

    // ------------------------------------------------------------ Prometheus
    if (M > 0 && !interrupted) {
      if (!existsSync(PROMETHEUS) || !existsSync(PROMTOOL)) {
        throw new Error(
          `${PROMETHEUS} or ${PROMTOOL} is missing: install prometheus, set PROMETHEUS_BIN/PROMTOOL_BIN, or pass --prom-objectives 0`,
        );
      }
      // Prometheus evaluates its rules at "now" and appends their results to
      // its head block, which takes no sample older than the newest
      // backfilled one ("out of bounds"): the series must end in the past,
      // yet recently enough that the 5m window still holds samples. So the
      // series end at END, a whole minute a little after the set-up is
      // expected to be done, and Prometheus starts just after END.
      const sampleCount = M * 2 * days * 1440;
      const END =
        Math.ceil(
          (Date.now() + 20_000 + (sampleCount / 1e6) * 2000) / MINUTE_MS,
        ) * MINUTE_MS;
      // The last minute counted (the sample at END counts the minute before it).
      const atP = END - MINUTE_MS;
      log(
        `\n== side by side: ${M} Prometheus-fed objectives, the same counts in a backfilled TSDB (Prometheus) and in PostgreSQL (engine), through ${new Date(
          atP,
        ).toISOString()}`,
      );
      const clockP: Clock = { ms: atP + MINUTE_MS + 30_000 };
      const dbP = await createDatabase(uniqueName('prom', run));
      cleanups.push(() => dbP.drop());
      const filesP = Array.from({ length: M }, (_, i) => ({
        file: `${refOf(i)}.yaml`,
        text: promObjectiveYaml(refOf(i)),
      }));
      const sP = await services(dbP.knex, filesP, clockP, logger);
      const storedP = await sP.objectives.all();
      if (storedP.length !== M) {
        throw new Error(
          `expected ${M} Prometheus objectives, stored ${
            storedP.length
          }: ${JSON.stringify(sP.discovered.problems.slice(0, 3))}`,
        );
      }
      const objectivesP = storedP.map(s => ({
        ref: s.objective.id,
        index: Number(/bench-(\d+)/.exec(s.objective.id)![1]),
      }));

      const dir = await mkdtemp(path.join(tmpdir(), 'slo-bench-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      const om = path.join(dir, 'series.om');
      const dataDir = path.join(dir, 'data');
      const gen = await timed(() =>
        writeOpenMetrics(om, objectivesP, {
          fromExclusive: atP - days * 1440 * MINUTE_MS,
          toInclusive: atP,
        }),
      );
      const omMb = (await stat(om)).size / 2 ** 20;
      const bf = await timed(() => backfill(om, dataDir));
      const blocks = bf.value
        .split('\n')
        .filter(l => /^[0-9A-Z]{26}\s/.test(l)).length;
      await rm(om);
      log(
        `OpenMetrics: ${gen.value.samples.toLocaleString(
          'en',
        )} samples, ${omMb.toFixed(0)} MB, written in ${fmtMs(
          gen.ms,
        )}; promtool backfill ${fmtMs(bf.ms)} (${blocks} block(s)) (setup)`,
      );
      const early = END + 2000 - Date.now();
      if (early > 0) {
        log(`  waiting ${fmtMs(early)} until the series' end is in the past`);
        await new Promise(r => setTimeout(r, early));
      } else {
        log(
          `  set-up ended ${fmtMs(
            -early,
          )} after the series' end: the 5m windows hold fewer samples`,
        );
      }

      const { groups, unavailable } = generateRulesForAll(
        storedP.map(stored => ({
          id: stored.objective.id,
          displayName: stored.objective.displayName,
          service: stored.objective.service,
          owner: stored.owner,
          target: stored.objective.target,
          periodMinutes: periodMinutes(stored.window),
          indicator: stored.objective.indicator.source,
          tiers: stored.tiers,
          links: {
            objective: objectiveUrl(
              { baseUrl: 'http://portal.test' },
              stored.objective.id,
            ),
          },
        })),
      );
      if (unavailable.length) {
        throw new Error(`no rules for ${JSON.stringify(unavailable[0])}`);
      }
      const rulesFile = path.join(dir, 'rules.yml');
      await writeFile(rulesFile, toRulesFileYaml(groups));

      const prom = await runPrometheus({
        dir,
        dataDir,
        rulesFile,
        cycles: promCycles,
        log,
      });
      if (prom.unhealthy.length) {
        log(
          `  unhealthy rules: ${prom.unhealthy.length}, e.g. ${prom.unhealthy[0]}`,
        );
      }
      log(
        `Prometheus: ${prom.groups} groups, ${
          prom.rules
        } rules; per evaluation (sum of the groups' evaluationTime): ${prom.cycleMs
          .map(fmtMs)
          .join(', ')}; slowest group ${prom.slowestGroupMs
          .map(fmtMs)
          .join(', ')}; firing alerts ${
          prom.firingAlerts
        }; CPU ${prom.cpuSeconds.toFixed(1)} s over ${prom.wallSeconds.toFixed(
          0,
        )} s; peak RSS ${prom.peakRssMb.toFixed(0)} MB`,
      );

      // The engine on the same M objectives, as of atP.
      const loadP = await timed(() =>
        bulkLoad(
          dbP.knex,
          objectivesP,
          {
            fromExclusive: atP - days * 1440 * MINUTE_MS,
            toInclusive: atP,
            source: 'prometheus',
          },
          { concurrency: loadConcurrency },
        ),
      );
      await dbP.knex.raw('VACUUM (ANALYZE) slo_sli_minutes');
      log(
        `PostgreSQL: ${loadP.value.toLocaleString('en')} rows in ${fmtMs(
          loadP.ms,
        )} (setup)`,
      );
      const fullP: number[] = [];
      let serviceP = sP.evaluation;
      for (let k = 0; k < fullRuns; k++) {
        const s = await services(dbP.knex, filesP, clockP, logger);
        const r = await timed(() => s.evaluation.evaluateAll(atP));
        fullP.push(r.ms);
        serviceP = s.evaluation;
      }
      const againP: number[] = [];
      for (let k = 0; k < fullRuns; k++) {
        const r = await timed(() => serviceP.evaluateAll(atP));
        againP.push(r.ms);
      }
      const firingP = (
        await dbP.knex.raw(
          `SELECT count(*)::int AS n FROM slo_alerts WHERE state = 'firing'`,
        )
      ).rows[0].n;
      log(
        `engine on the same ${M}: fresh service ${fullP
          .map(fmtMs)
          .join(', ')}; again on the same instance ${againP
          .map(fmtMs)
          .join(', ')}; firing (objective, tier) ${firingP}`,
      );
      table.push(
        [
          `engine evaluateAll, ${M} objectives (fresh service, median of ${fullRuns})`,
          fmtMs(median(fullP)),
          `Prometheus ${fmtMs(median(prom.cycleMs))} per evaluation`,
          '(side by side)',
          '',
        ],
        [
          `Prometheus rule evaluation, ${M} objectives (${prom.groups} groups, ${prom.rules} rules; median of ${promCycles} cycles)`,
          fmtMs(median(prom.cycleMs)),
          `engine ${fmtMs(median(fullP))}`,
          '(side by side)',
          '',
        ],
      );
      notes.push(
        `side by side: Prometheus cycles ${prom.cycleMs
          .map(fmtMs)
          .join(', ')} (first one cold), firing alerts ${
          prom.firingAlerts
        } vs engine ${firingP} (the engine as of the last minute of the series, Prometheus 1 to ${promCycles} minutes later); Prometheus peak RSS ${prom.peakRssMb.toFixed(
          0,
        )} MB`,
      );
    }
  } finally {
    await cleanup();
    memory.stop();
  }

  const widths = [0, 1, 2, 3, 4].map(c =>
    Math.max(
      ...[
        ['figure', 'measured', 'baseline (same run)', 'aim', ''],
        ...table,
      ].map(r => r[c].length),
    ),
  );
  const row = (r: string[]) =>
    r
      .map((cell, c) => cell.padEnd(widths[c]))
      .join(' | ')
      .trimEnd();
  log(`\n== summary (${fmtMs(since(started))} in all)`);
  log(row(['figure', 'measured', 'baseline (same run)', 'aim', '']));
  log(widths.map(w => '-'.repeat(w)).join('-|-'));
  for (const r of table) log(row(r));
  for (const n of notes) log(`- ${n}`);
  if (logger.warnings || logger.errors) {
    log(`- logger: ${logger.warnings} warnings, ${logger.errors} errors`);
  }
}

main().catch(error => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
