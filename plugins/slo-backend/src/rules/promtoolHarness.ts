/**
 * Test harness: runs the real `promtool` on generated rules. Only the tests
 * import this file (it is not exported from the package).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { SloAlertTier, SloTierSummary } from '@internal/plugin-slo-common';
import { stringify } from 'yaml';
import { thresholdForShare } from '../engine/burnRate';
import { MINUTE_MS, parseDuration } from '../engine/windows';
import type {
  PrometheusAlertingRule,
  PrometheusRuleGroup,
} from './generateRules';

/** `promtool`'s path: `$PROMTOOL`, else the first on `$PATH`, else undefined. */
export function findPromtool(): string | undefined {
  const fromEnv = process.env.PROMTOOL;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'promtool'))) return join(dir, 'promtool');
  }
  return existsSync('/usr/bin/promtool') ? '/usr/bin/promtool' : undefined;
}

/**
 * How a test file should treat promtool: `run` with its path, `fail` in CI
 * (`CI=true`) without it, `skip` elsewhere without it; with the reason.
 */
export function promtoolForTests():
  | { mode: 'run'; path: string }
  | { mode: 'fail' | 'skip'; path: string; message: string } {
  const path = findPromtool();
  if (path) return { mode: 'run', path };
  const message =
    'promtool (Prometheus 2.x) is not installed: the rule tests need the real promtool ' +
    '(apt-get install prometheus, or set PROMTOOL=/path/to/promtool).';
  return process.env.CI === 'true'
    ? {
        mode: 'fail',
        path: 'promtool',
        message: `${message} CI=true: failing, not skipping.`,
      }
    : { mode: 'skip', path: 'promtool', message };
}

export interface PromtoolRun {
  status: number | null;
  output: string;
}

/** Writes `files` to a fresh temporary directory and runs promtool there. */
export async function runPromtool(
  promtool: string,
  args: string[],
  files: Record<string, string>,
): Promise<PromtoolRun> {
  const dir = mkdtempSync(join(tmpdir(), 'slo-rules-'));
  try {
    for (const [name, text] of Object.entries(files)) {
      writeFileSync(join(dir, name), text);
    }
    return await new Promise<PromtoolRun>((resolve, reject) => {
      const child = spawn(promtool, args, { cwd: dir, timeout: 120_000 });
      const chunks: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => chunks.push(c));
      child.stderr.on('data', (c: Buffer) => chunks.push(c));
      child.on('error', reject);
      child.on('close', status =>
        resolve({ status, output: Buffer.concat(chunks).toString('utf8') }),
      );
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Maps `items` through `fn`, at most `limit` at a time, results in order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, worker),
  );
  return results;
}

/** `promtool check rules` on one rule file. */
export function checkRules(
  promtool: string,
  rulesYaml: string,
): Promise<PromtoolRun> {
  return runPromtool(promtool, ['check', 'rules', 'rules.yaml'], {
    'rules.yaml': rulesYaml,
  });
}

/** A promtool unit test group: input series and expected alerts. */
export interface PromtoolTestGroup {
  interval: string;
  input_series: { series: string; values: string }[];
  alert_rule_test: {
    eval_time: string;
    alertname: string;
    exp_alerts: {
      exp_labels: Record<string, string>;
      exp_annotations: Record<string, string>;
    }[];
  }[];
}

/** `promtool test rules` of `groups` against `rulesYaml`. */
export function testRules(
  promtool: string,
  rulesYaml: string,
  groups: PromtoolTestGroup[],
  evaluationInterval: string,
): Promise<PromtoolRun> {
  const tests = stringify(
    {
      rule_files: ['rules.yaml'],
      evaluation_interval: evaluationInterval,
      tests: groups,
    },
    { lineWidth: 0 },
  );
  return runPromtool(promtool, ['test', 'rules', 'tests.yaml'], {
    'rules.yaml': rulesYaml,
    'tests.yaml': tests,
  });
}

/**
 * Cumulative counter samples, starting at 0, from per-interval increments:
 * the sample at interval i holds the sum of increments 0..i-1.
 */
export function counterValues(increments: readonly number[]): string {
  const out = ['0'];
  let sum = 0;
  for (const x of increments) {
    sum += x;
    out.push(String(sum));
  }
  return out.join(' ');
}

/** What a Go template renders from our escaped literal text. */
function rendered(text: string): string {
  return text.replace(/\{\{ "\{\{" \}\}/g, '{{');
}

/** The alerting rules of the groups, by tier name. */
export function alertRulesByTier(
  groups: readonly PrometheusRuleGroup[],
): Map<string, PrometheusAlertingRule> {
  const byTier = new Map<string, PrometheusAlertingRule>();
  for (const g of groups) {
    for (const r of g.rules) {
      if ('alert' in r) byTier.set(rendered(r.labels.tier), r);
    }
  }
  return byTier;
}

/** The alert promtool should report for a rule, with the series' labels. */
export function expectedAlert(
  rule: PrometheusAlertingRule,
  seriesLabels: Record<string, string>,
) {
  const render = (o: Record<string, string>) =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k, rendered(v)]));
  return {
    exp_labels: { ...seriesLabels, ...render(rule.labels) },
    exp_annotations: render(rule.annotations),
  };
}

/** The engine's tiers as summaries for a period, thresholds scaled as the engine does. */
export function tierSummaries(
  tiers: readonly SloAlertTier[],
  periodMinutes: number,
): SloTierSummary[] {
  return tiers.map(t => ({
    name: t.name,
    severity: t.severity,
    longWindow: t.longWindow,
    shortWindow: t.shortWindow,
    budgetShare: t.budgetShare,
    threshold: thresholdForShare(
      t.budgetShare,
      periodMinutes * MINUTE_MS,
      parseDuration(t.longWindow),
    ),
    targets: [],
  }));
}

/**
 * `describe` for tests that run promtool: fails in CI without it (a missing
 * promtool there is a broken machine), skips with a message elsewhere.
 */
export function describeWithPromtool(
  name: string,
  body: (promtool: string) => void,
) {
  const setup = promtoolForTests();
  if (setup.mode === 'skip') {
    // eslint-disable-next-line no-console
    console.warn(`Skipping the promtool tests: ${setup.message}`);
  }
  (setup.mode === 'skip' ? describe.skip : describe)(name, () => {
    beforeAll(() => {
      if (setup.mode === 'fail') throw new Error(setup.message);
    });
    body(setup.path);
  });
}
