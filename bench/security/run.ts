/*
 * The security events benchmark. From the repository root, after
 * `. scripts/bootstrap.sh` (RUN = node --require
 * @backstage/cli-node/config/nodeTransform.cjs bench/security/run.ts):
 *
 *   RUN                        # 1,000,000 lines
 *   RUN --events 10000000      # the 10 M memory run (about 3.5 GB of log)
 *
 * Options: --events N (1000000), --dir D (where the temporary log file goes;
 * the OS temp dir), --keep (leave the file), --timezone Z (after hours of the
 * seed rules; UTC), --skip-breakdown (no third loop of normalizeLine alone).
 *
 * Writes N NDJSON lines (winston access lines, Backstage auditor events, ops
 * audit events; see logFile.ts), then over the same file, in this process
 * (JavaScript on one core): (a) the bare loop, JSON.parse + JSON.stringify
 * per line; (b) normalizeLine + the four seed rules per line. Prints the
 * events per second of both, their ratio, heap and RSS sampled at every 10 %
 * of (b), and whether the aims are met. See README.md.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { CorrelationEngine } from '../../plugins/security-node/src/correlation';
import { seedRules } from '../../plugins/security-node/src/correlation/seedRules';
import { normalizeLine } from '../../plugins/security-node/src/normalize';
import type { EcsDocument } from '../../plugins/security-node/src/correlation/types';
import { parseArgs, processPeakRssMb } from '../shared/process';
import { readLines, writeLogFile } from './logFile';

const AIMS = { eventsPerSecond: 100_000, ratio: 0.3 };
const MB = 2 ** 20;
const log = (line: string) => process.stdout.write(`${line}\n`);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

interface Sample {
  at: number;
  heapMb: number;
  rssMb: number;
}

function sample(at: number): Sample {
  const memory = process.memoryUsage();
  return { at, heapMb: memory.heapUsed / MB, rssMb: memory.rss / MB };
}

/** Wall and CPU (user + system, all threads of the process) seconds since `from`. */
function elapsed(from: { wall: number; cpu: NodeJS.CpuUsage }) {
  const cpu = process.cpuUsage(from.cpu);
  return {
    seconds: (performance.now() - from.wall) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

const clock = () => ({ wall: performance.now(), cpu: process.cpuUsage() });

async function bareLoop(file: string) {
  const started = clock();
  let lines = 0;
  let bytes = 0;
  for await (const batch of readLines(file)) {
    for (const line of batch) {
      if (line === '') continue;
      bytes += JSON.stringify(JSON.parse(line)).length;
      lines++;
    }
  }
  return { lines, bytes, ...elapsed(started) };
}

async function normalizeOnly(file: string) {
  const started = clock();
  let lines = 0;
  for await (const batch of readLines(file)) {
    for (const line of batch) {
      if (line === '') continue;
      normalizeLine(line);
      lines++;
    }
  }
  return { lines, ...elapsed(started) };
}

async function detectLoop(file: string, total: number, timezone: string) {
  const engine = new CorrelationEngine(seedRules({ timezone }));
  const alertsByRule: Record<string, number> = {};
  const problems: Record<string, number> = {};
  const samples: Sample[] = [sample(0)];
  const every = Math.max(1, Math.floor(total / 10));
  const started = clock();
  let lines = 0;
  let normalizeMs = 0;
  let engineMs = 0;
  const events: EcsDocument[] = [];
  for await (const batch of readLines(file)) {
    // Per batch: normalize every line, then push the events; each half timed.
    const t0 = performance.now();
    events.length = 0;
    for (const line of batch) {
      if (line === '') continue;
      lines++;
      const result = normalizeLine(line);
      if (result.event) events.push(result.event);
      else if (result.problem) {
        problems[result.problem] = (problems[result.problem] ?? 0) + 1;
      }
      if (lines % every === 0) samples.push(sample(lines));
    }
    const t1 = performance.now();
    for (const event of events) {
      for (const alert of engine.push(event)) {
        alertsByRule[alert.ruleId] = (alertsByRule[alert.ruleId] ?? 0) + 1;
      }
    }
    normalizeMs += t1 - t0;
    engineMs += performance.now() - t1;
  }
  return {
    lines,
    ...elapsed(started),
    normalizeMs,
    engineMs,
    alertsByRule,
    problems,
    samples,
    stats: engine.stats(),
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const events = Number(
    args.events ?? process.env.BENCH_SECURITY_EVENTS ?? 1_000_000,
  );
  const timezone = String(args.timezone ?? 'UTC');
  if (!(Number.isInteger(events) && events > 0))
    throw new Error('--events must be a positive integer');
  const dir = await mkdtemp(
    path.join(String(args.dir ?? tmpdir()), 'security-bench-'),
  );
  const file = path.join(dir, 'portal.ndjson');
  const cleanUp = async () => {
    if (!args.keep) await rm(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => cleanUp().finally(() => process.exit(130)));
  try {
    log(`# security events benchmark, ${new Date().toISOString()}`);
    log(
      `node ${process.version}, ${cpus().length} CPUs (${
        cpus()[0]?.model
      }), load ${loadavg()
        .map(l => l.toFixed(1))
        .join(' ')}`,
    );
    let t = performance.now();
    const bytes = await writeLogFile(file, events);
    log(
      `wrote ${fmt(events)} lines, ${(bytes / MB).toFixed(0)} MB, in ${(
        (performance.now() - t) /
        1000
      ).toFixed(1)} s: ${file}`,
    );

    const line = (
      name: string,
      r: { lines: number; seconds: number; cpuSeconds: number },
    ) =>
      log(
        `| ${name} | ${fmt(r.lines)} | ${r.seconds.toFixed(
          2,
        )} | ${r.cpuSeconds.toFixed(2)} | ${fmt(r.lines / r.seconds)} | ${fmt(
          r.lines / r.cpuSeconds,
        )} |`,
      );
    const bare = await bareLoop(file);
    const detect = await detectLoop(file, events, timezone);
    const normalized = args['skip-breakdown']
      ? undefined
      : await normalizeOnly(file);
    log('');
    log('| loop | lines | wall s | CPU s | per wall s | per CPU s |');
    log('| ---- | ----- | ------ | ----- | ---------- | --------- |');
    line('(a) bare JSON.parse + JSON.stringify', bare);
    line('(b) normalizeLine + the four seed rules', detect);
    if (normalized) line('(c) normalizeLine alone (breakdown)', normalized);
    const rate = detect.lines / detect.seconds;
    const ratio = detect.lines / detect.seconds / (bare.lines / bare.seconds);
    const cpuRate = detect.lines / detect.cpuSeconds;
    const cpuRatio = cpuRate / (bare.lines / bare.cpuSeconds);
    log('');
    log(
      `ratio (b)/(a): ${ratio.toFixed(2)} by wall time, ${cpuRatio.toFixed(
        2,
      )} by CPU time`,
    );
    log(
      `inside (b), wall: normalizeLine ${(detect.normalizeMs / 1000).toFixed(
        2,
      )} s, CorrelationEngine.push ${(detect.engineMs / 1000).toFixed(
        2,
      )} s (${fmt(
        detect.lines / (detect.engineMs / 1000),
      )} events/s for the engine alone); the rest is reading the file`,
    );
    log(
      `alerts: ${JSON.stringify(
        detect.alertsByRule,
      )}; problems: ${JSON.stringify(detect.problems)}`,
    );
    const keys = Object.fromEntries(
      Object.entries(detect.stats.rules).map(([id, r]) => [id, r.keys]),
    );
    const evicted = Object.fromEntries(
      Object.entries(detect.stats.rules).map(([id, r]) => [id, r.evicted]),
    );
    log(
      `keys tracked at the end: ${JSON.stringify(
        keys,
      )}; evicted: ${JSON.stringify(evicted)}; late: ${detect.stats.late}`,
    );
    log('');
    log('| lines done | heap used MB | RSS MB |');
    log('| ---------- | ------------ | ------ |');
    for (const s of detect.samples) {
      log(`| ${fmt(s.at)} | ${s.heapMb.toFixed(0)} | ${s.rssMb.toFixed(0)} |`);
    }
    const later = detect.samples.slice(Math.ceil(detect.samples.length / 2));
    const heaps = later.map(s => s.heapMb);
    log(
      `heap over the second half: ${Math.min(...heaps).toFixed(0)}–${Math.max(
        ...heaps,
      ).toFixed(0)} MB; peak RSS (VmHWM) ${processPeakRssMb(
        process.pid,
      ).toFixed(0)} MB`,
    );
    log('');
    const verdict = (ok: boolean) => (ok ? 'meets' : 'misses');
    log(
      `aim ≥ ${fmt(AIMS.eventsPerSecond)} events/s: ${verdict(
        rate >= AIMS.eventsPerSecond,
      )} by wall time (${fmt(rate)}), ${verdict(
        cpuRate >= AIMS.eventsPerSecond,
      )} per CPU second (${fmt(cpuRate)})`,
    );
    log(
      `aim ≥ ${AIMS.ratio} of the bare loop: ${verdict(
        ratio >= AIMS.ratio,
      )} by wall time (${ratio.toFixed(2)}), ${verdict(
        cpuRatio >= AIMS.ratio,
      )} by CPU time (${cpuRatio.toFixed(2)})`,
    );
    log(
      `load average at the end: ${loadavg()
        .map(l => l.toFixed(1))
        .join(' ')}`,
    );
  } finally {
    await cleanUp();
  }
}

main().catch(error => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
