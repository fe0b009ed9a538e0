import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import {
  dashboardQueries,
  exportedMetrics,
  isExported,
  metricNames,
  readDashboard,
} from './grafana';
import { DEPLOY_DIR } from './paths';

const ROOT = path.resolve(DEPLOY_DIR, '..');
const BACKEND_DIR = path.join(ROOT, 'packages/backend');
const PLUGINS = ['privacy', 'slo', 'evidence', 'drills'];

describe('metricNames', () => {
  it('keeps metric names and drops functions, labels, keywords and variables', () => {
    expect([
      ...metricNames(
        'histogram_quantile(0.95, sum by (le, region) (rate(dsar_seconds_bucket{region=~"$region"}[$__rate_interval])))',
      ),
    ]).toEqual(['dsar_seconds_bucket']);
    expect([
      ...metricNames(
        '1 - (sum(a_total{x="y"}) or vector(0)) / sum without (instance) (b) > bool 1e3 unless on (job) group_left (zone) c offset 5m',
      ),
    ]).toEqual(['a_total', 'b', 'c']);
    expect([
      ...metricNames('sum(rate(x[5m])) by (le) and ignoring(pod) y'),
    ]).toEqual(['x', 'y']);
    expect([...metricNames('max by (status) (q{status=~"a|b"})[1h:]')]).toEqual(
      ['q'],
    );
  });

  it('reads the metric of a label_values variable query, not its label', () => {
    expect([...metricNames('label_values(privacy_requests, region)')]).toEqual([
      'privacy_requests',
    ]);
    expect([...metricNames('label_values(region)')]).toEqual([]);
  });
});

describe('isExported', () => {
  const exported = exportedMetrics(
    [
      '# HELP g A gauge.',
      '# TYPE g gauge',
      'g{a="1"} 2',
      '# TYPE h histogram',
      '# TYPE s summary',
    ].join('\n'),
  );

  it('matches names and the series of histograms and summaries', () => {
    expect(isExported('g', exported)).toBe(true);
    expect(isExported('h_bucket', exported)).toBe(true);
    expect(isExported('h_count', exported)).toBe(true);
    expect(isExported('s_sum', exported)).toBe(true);
    expect(isExported('s_bucket', exported)).toBe(false);
    expect(isExported('g_count', exported)).toBe(false);
    expect(isExported('missing', exported)).toBe(false);
  });
});

describe('the dashboard', () => {
  const dashboard = readDashboard();
  const queries = dashboardQueries(dashboard);

  it('queries the Prometheus datasource variable in every panel', () => {
    const text = JSON.stringify(dashboard);
    expect(dashboard).toMatchObject({ schemaVersion: 39 });
    expect(dashboard.templating?.list?.[0]).toMatchObject({
      name: 'datasource',
      type: 'datasource',
      query: 'prometheus',
    });
    const uids = [...text.matchAll(/"uid":\s*"([^"]*)"/g)]
      .map(match => match[1])
      .filter(uid => uid !== 'ops-portal');
    expect(uids.length).toBeGreaterThan(0);
    expect(new Set(uids)).toEqual(new Set(['${datasource}']));
  });

  it('reads the metrics of every plugin', () => {
    const names = queries.flatMap(({ expr }) => [...metricNames(expr)]);
    for (const id of PLUGINS) {
      expect({ id, read: names.some(n => n.startsWith(`${id}_`)) }).toEqual({
        id,
        read: true,
      });
    }
  });

  it('lays out its panels on the 24-column grid without overlap', () => {
    const taken = new Map<string, string>();
    const overlaps: string[] = [];
    for (const panel of dashboard.panels ?? []) {
      const { title, gridPos: g } = panel as {
        title: string;
        gridPos: { x: number; y: number; w: number; h: number };
      };
      expect({ title, fits: g.x >= 0 && g.w > 0 && g.x + g.w <= 24 }).toEqual({
        title,
        fits: true,
      });
      for (let x = g.x; x < g.x + g.w; x++) {
        for (let y = g.y; y < g.y + g.h; y++) {
          const other = taken.get(`${x},${y}`);
          if (other) overlaps.push(`${title} over ${other} at ${x},${y}`);
          taken.set(`${x},${y}`, title);
        }
      }
    }
    expect(overlaps).toEqual([]);
  });

  it('has a query in every panel and a metric in every query', () => {
    for (const panel of dashboard.panels ?? []) {
      if ((panel as { type?: string }).type === 'row') continue;
      expect(panel.targets?.length).toBeGreaterThan(0);
    }
    for (const { where, expr } of queries) {
      expect({ where, names: metricNames(expr).size > 0 }).toEqual({
        where,
        names: true,
      });
    }
  });
});

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
    server.on('error', fail);
  });
}

/**
 * The config that moves the backend (and the demo's stand-in Kubernetes API)
 * onto free ports and its files into `dir`, so it runs beside `yarn start`.
 */
function extraConfig(dir: string, port: number, kubernetesPort: number) {
  const base = parse(readFileSync(path.join(ROOT, 'app-config.yaml'), 'utf8'));
  const url = `http://localhost:${port}`;
  const connections: Record<string, object> = {};
  for (const [name, connection] of Object.entries<{
    client?: string;
    type?: string;
  }>(base.privacy.connections)) {
    if (connection.client === 'better-sqlite3') {
      connections[name] = { connection: path.join(dir, `${name}.sqlite`) };
    } else if (connection.type === 'http') {
      connections[name] = {
        url: `${url}/api/privacy/demo/${name.replace(/-api$/, '')}`,
      };
    }
  }
  const clusters = JSON.parse(
    JSON.stringify(base.kubernetes.clusterLocatorMethods),
    (key, value) =>
      key === 'url' && typeof value === 'string'
        ? value.replace(/:7081\b/, `:${kubernetesPort}`)
        : value,
  );
  return {
    app: { baseUrl: url },
    backend: { baseUrl: url, listen: { port }, cors: { origin: url } },
    kubernetes: { clusterLocatorMethods: clusters },
    ops: {
      scaffolder: { demo: { kubernetes: { port: kubernetesPort } } },
      storage: { directory: path.join(dir, 'blobs') },
    },
    privacy: {
      connections,
      regions: Object.fromEntries(
        Object.keys(base.privacy.regions).map(region => [
          region,
          { storage: { directory: path.join(dir, 'privacy', region) } },
        ]),
      ),
    },
    evidence: { storage: { directory: path.join(dir, 'evidence') } },
    drills: { storage: { directory: path.join(dir, 'drills') } },
  };
}

/** Polls `url` until it answers 200, the process exits, or time runs out. */
async function healthy(url: string, exited: Promise<unknown>, ms: number) {
  let gone = false;
  exited.then(() => (gone = true));
  const until = Date.now() + ms;
  while (!gone && Date.now() < until) {
    const ok = await fetch(url).then(
      response => response.ok,
      () => false,
    );
    if (ok) return true;
    await new Promise(done => setTimeout(done, 500));
  }
  return false;
}

describe('the dashboard against the running backend', () => {
  let child: ChildProcess | undefined;
  let exited: Promise<unknown> = Promise.resolve();
  let output = '';
  let dir = '';

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child?.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('reads only metrics the plugins export', async () => {
    const [port, kubernetesPort] = [await freePort(), await freePort()];
    dir = mkdtempSync(path.join(tmpdir(), 'grafana-metrics-'));
    const configFile = path.join(dir, 'app-config.test.yaml');
    writeFileSync(
      configFile,
      stringify(extraConfig(dir, port, kubernetesPort)),
    );
    child = spawn(
      process.execPath,
      [
        '--require',
        '@backstage/cli-node/config/nodeTransform.cjs',
        'src/index.ts',
        '--config',
        '../../app-config.yaml',
        '--config',
        configFile,
      ],
      {
        cwd: BACKEND_DIR,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout!.on('data', chunk => (output += chunk));
    child.stderr!.on('data', chunk => (output += chunk));
    // 'close', not 'exit': only then has all of its output been read.
    exited = new Promise(done => child!.on('close', done));

    const base = `http://127.0.0.1:${port}/api`;
    for (const id of PLUGINS) {
      const up = await healthy(`${base}/${id}/health`, exited, 150_000);
      if (!up) throw new Error(`${id} never became healthy:\n${output}`);
    }

    // Every plugin serves its metrics to Prometheus without a token.
    const exported = new Map<string, string>();
    for (const id of PLUGINS) {
      const response = await fetch(`${base}/${id}/metrics`);
      expect({ id, status: response.status }).toEqual({ id, status: 200 });
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      const own = exportedMetrics(await response.text());
      // Each plugin's metrics carry its id as their prefix.
      expect({
        id,
        names: [...own.keys()].filter(n => !n.startsWith(`${id}_`)),
      }).toEqual({ id, names: [] });
      expect({ id, count: own.size > 0 }).toEqual({ id, count: true });
      for (const [name, type] of own) exported.set(name, type);
    }
    expect(exported.get('privacy_queue_jobs')).toBe('gauge');
    expect(exported.get('slo_burn_rate')).toBe('gauge');
    for (const name of [
      'privacy_request_completion_seconds',
      'privacy_consent_events',
      'privacy_audit_events',
      'privacy_personal_data_access',
    ]) {
      expect({ name, type: exported.get(name) }).toEqual({
        name,
        type: 'gauge',
      });
    }

    const missing = dashboardQueries(readDashboard()).flatMap(
      ({ where, expr }) =>
        [...metricNames(expr)]
          .filter(name => !isExported(name, exported))
          .map(name => `${where}: ${name}`),
    );
    expect(missing).toEqual([]);
    expect(exported.size).toBeGreaterThan(0);
  }, 180_000);
});
