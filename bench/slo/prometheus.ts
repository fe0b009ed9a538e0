import { ChildProcess, execFile, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { AddressInfo, createServer } from 'node:net';
import path from 'node:path';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { countsAt } from './traffic';
import { MINUTE_MS, processCpuSeconds, processPeakRssMb } from './util';

export const PROMETHEUS = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
export const PROMTOOL = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';

/** The counter the generated objectives' queries read. */
export const METRIC = 'requests_total';

/** The OpenSLO queries of objective `ref` over {@link METRIC}. */
export function promQueries(ref: string) {
  return {
    good: `sum(rate(${METRIC}{slo="${ref}",code!~"5.."}[{{window}}]))`,
    total: `sum(rate(${METRIC}{slo="${ref}"}[{{window}}]))`,
  };
}

/**
 * Writes the counters of the objectives as OpenMetrics: per objective two
 * series, `code="200"` (good) and `code="500"` (bad), one sample a minute.
 * The sample at the end of minute m (t = (m + 1) minutes) counts every
 * request up to and including minute m, as a scrape would. Streamed, with
 * back-pressure: the file is hundreds of MB at 100 objectives × 30 days.
 */
export async function writeOpenMetrics(
  file: string,
  objectives: ReadonlyArray<{ ref: string; index: number }>,
  range: { fromExclusive: number; toInclusive: number },
): Promise<{ samples: number; bytes: number }> {
  const out = createWriteStream(file);
  let bytes = 0;
  let samples = 0;
  const write = async (text: string) => {
    bytes += text.length;
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(`# TYPE ${METRIC.replace(/_total$/, '')} counter\n`);
  const m0 = range.fromExclusive / MINUTE_MS + 1;
  const m1 = range.toInclusive / MINUTE_MS;
  for (const o of objectives) {
    for (const code of ['200', '500']) {
      const labels = `${METRIC}{slo="${o.ref}",code="${code}"} `;
      let value = 0;
      let chunk = '';
      for (let m = m0; m <= m1; m++) {
        const { good, total } = countsAt(o.index, m);
        value += code === '200' ? good : total - good;
        chunk += `${labels}${value} ${(m + 1) * 60}\n`;
        samples += 1;
        if (chunk.length > 1 << 20) {
          await write(chunk);
          chunk = '';
        }
      }
      await write(chunk);
    }
  }
  await write('# EOF\n');
  out.end();
  await once(out, 'finish');
  return { samples, bytes };
}

/** Backfills a TSDB from the OpenMetrics file, in as few blocks as promtool makes. */
export async function backfill(file: string, dataDir: string): Promise<string> {
  // --max-block-duration (hidden in 2.42): without it promtool makes 2-hour
  // blocks and reads the whole input once per block, 360 times for 30 days.
  const { stdout } = await promisify(execFile)(
    PROMTOOL,
    [
      'tsdb',
      'create-blocks-from',
      'openmetrics',
      '--max-block-duration=1000h',
      file,
      dataDir,
    ],
    { maxBuffer: 64 << 20 },
  );
  return stdout;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface ApiRuleGroup {
  name: string;
  interval: number;
  evaluationTime: number;
  lastEvaluation: string;
  rules: Array<{
    type: string;
    health: string;
    lastError?: string;
    state?: string;
  }>;
}

export interface PrometheusRun {
  groups: number;
  rules: number;
  /** Per evaluation cycle: sum over the groups of their evaluationTime, ms. */
  cycleMs: number[];
  /** Per cycle: the slowest group's evaluationTime, ms. */
  slowestGroupMs: number[];
  unhealthy: string[];
  firingAlerts: number;
  peakRssMb: number;
  /** CPU seconds Prometheus used from ready to the end of the last cycle measured. */
  cpuSeconds: number;
  wallSeconds: number;
}

/**
 * Starts Prometheus on the backfilled TSDB with the rule file, waits until
 * every group has evaluated `cycles` times, and reads each evaluation's
 * `evaluationTime` from `/api/v1/rules`.
 */
export async function runPrometheus(options: {
  dir: string;
  dataDir: string;
  rulesFile: string;
  cycles: number;
  log: (line: string) => void;
}): Promise<PrometheusRun> {
  const config = path.join(options.dir, 'prometheus.yml');
  await writeFile(
    config,
    [
      'global:',
      '  scrape_interval: 1m',
      '  evaluation_interval: 1m',
      'rule_files:',
      `  - ${JSON.stringify(options.rulesFile)}`,
      'scrape_configs: []',
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--storage.tsdb.path=${options.dataDir}`,
      `--config.file=${config}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=100y',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', d => (output = (output + d).slice(-20_000)));
  child.stderr?.on('data', d => (output = (output + d).slice(-20_000)));
  try {
    const readyBy = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null || Date.now() > readyBy) {
        throw new Error(`Prometheus did not become ready:\n${output}`);
      }
      try {
        if ((await fetch(`${base}/-/ready`)).ok) break;
      } catch {
        // not listening yet
      }
      await new Promise(r => setTimeout(r, 200));
    }
    const startedAt = Date.now();
    const cpuAtReady = processCpuSeconds(child.pid!);
    // group name -> evaluations seen, in order: [lastEvaluation, evaluationTime s]
    const seen = new Map<string, Array<[string, number]>>();
    let last: ApiRuleGroup[] = [];
    const deadline = Date.now() + (options.cycles + 2) * 60_000;
    let reported = 0;
    for (;;) {
      const body = (await (await fetch(`${base}/api/v1/rules`)).json()) as {
        data: { groups: ApiRuleGroup[] };
      };
      last = body.data.groups;
      for (const g of last) {
        if (g.lastEvaluation.startsWith('0001-')) continue;
        const list = seen.get(g.name) ?? [];
        if (list.at(-1)?.[0] !== g.lastEvaluation) {
          list.push([g.lastEvaluation, g.evaluationTime]);
        }
        seen.set(g.name, list);
      }
      const complete = Math.min(
        ...last.map(g => seen.get(g.name)?.length ?? 0),
      );
      if (complete > reported) {
        reported = complete;
        options.log(
          `  Prometheus: every group has evaluated ${complete} time(s) (${(
            (Date.now() - startedAt) /
            1000
          ).toFixed(0)} s after ready)`,
        );
      }
      if (complete >= options.cycles) break;
      if (Date.now() > deadline || child.exitCode !== null) {
        throw new Error(
          `Prometheus rule groups did not evaluate ${options.cycles} times:\n${output}`,
        );
      }
      await new Promise(r => setTimeout(r, 2000));
    }
    const cpuSeconds = processCpuSeconds(child.pid!) - cpuAtReady;
    const wallSeconds = (Date.now() - startedAt) / 1000;
    const cycleMs: number[] = [];
    const slowestGroupMs: number[] = [];
    for (let k = 0; k < options.cycles; k++) {
      let sum = 0;
      let slowest = 0;
      for (const g of last) {
        const s = seen.get(g.name)![k][1] * 1000;
        sum += s;
        slowest = Math.max(slowest, s);
      }
      cycleMs.push(sum);
      slowestGroupMs.push(slowest);
    }
    const unhealthy = last.flatMap(g =>
      g.rules
        .filter(r => r.health !== 'ok')
        .map(r => `${g.name}: ${r.health} ${r.lastError ?? ''}`),
    );
    const alerts = (await (await fetch(`${base}/api/v1/alerts`)).json()) as {
      data: { alerts: Array<{ state: string }> };
    };
    return {
      groups: last.length,
      rules: last.reduce((n, g) => n + g.rules.length, 0),
      cycleMs,
      slowestGroupMs,
      unhealthy,
      firingAlerts: alerts.data.alerts.filter(a => a.state === 'firing').length,
      peakRssMb: processPeakRssMb(child.pid!),
      cpuSeconds,
      wallSeconds,
    };
  } finally {
    if (child.exitCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
  }
}
