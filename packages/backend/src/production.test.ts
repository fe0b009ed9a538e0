import { ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/*
 * The README's production start (app-config.yaml + app-config.production.yaml,
 * PostgreSQL and Redis from the environment), run as a real backend process
 * with an environment that holds nothing else: no key may fall back to the
 * demo keys committed in app-config.yaml.
 */

jest.setTimeout(240_000);

const ROOT = resolve(__dirname, '../../..');
const POSTGRES =
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
const REDIS_URL = process.env.OPS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
    server.on('error', fail);
  });
}

/** The production backend on a free port, with only `extraEnv` beyond its database, Redis and URL. */
async function startProduction(extraEnv: Record<string, string>) {
  const port = await freePort();
  const db = new URL(POSTGRES!);
  const storage = mkdtempSync(join(tmpdir(), 'production-start-'));
  const child = spawn(
    process.execPath,
    [
      '--require',
      '@backstage/cli-node/config/nodeTransform.cjs',
      'packages/backend/src/index.ts',
      '--config',
      'app-config.yaml',
      '--config',
      'app-config.production.yaml',
    ],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        POSTGRES_HOST: db.hostname,
        POSTGRES_PORT: db.port || '5432',
        POSTGRES_USER: decodeURIComponent(db.username) || 'postgres',
        POSTGRES_PASSWORD: decodeURIComponent(db.password) || 'postgres',
        REDIS_URL,
        PORTAL_BASE_URL: `http://localhost:${port}`,
        APP_CONFIG_backend_listen_port: String(port),
        APP_CONFIG_ops_storage_directory: join(storage, 'blobs'),
        APP_CONFIG_evidence_storage_directory: join(storage, 'evidence'),
        ...Object.fromEntries(
          ['EU', 'US', 'UK', 'APAC'].map(region => [
            `APP_CONFIG_privacy_regions_${region}_storage_directory`,
            join(storage, region),
          ]),
        ),
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', chunk => (output += chunk));
  child.stderr!.on('data', chunk => (output += chunk));
  // 'close', not 'exit': only then has all of its output been read, so a
  // process that dies shows why.
  let how = '';
  const exited = new Promise<number | null>(done =>
    child.on('close', (code, signal) => {
      how = `exited with code ${code}${signal ? `, signal ${signal}` : ''}`;
      done(code);
    }),
  );
  return {
    child,
    port,
    exited,
    output: () => (how ? `${output}\n[${how}]` : output),
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

const stop = (child: ChildProcess) => {
  if (child.exitCode === null) child.kill('SIGKILL');
};

const describeWithPostgres = POSTGRES ? describe : describe.skip;
if (!POSTGRES) {
  // eslint-disable-next-line no-console
  console.warn(
    'BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING unset: skipping the production start (CI sets it)',
  );
}

describeWithPostgres('production start', () => {
  it('refuses to start without its own keys, naming each missing one', async () => {
    const backend = await startProduction({});
    try {
      expect(await backend.exited).toBe(1);
      const output = backend.output();
      expect(output).toContain('Refusing to start on the demo keys');
      for (const key of [
        'privacy.identifiers.key',
        'privacy.identifiers.pepper',
        'privacy.regions.EU.masterKey',
        'privacy.regions.US.masterKey',
        'privacy.regions.UK.masterKey',
        'privacy.regions.APAC.masterKey',
        'ops.audit.signingKey',
        'slo.notifications.targets.oncall-pagerduty.routingKey',
        'slo.notifications.targets.team-slack.token',
        'slo.notifications.targets.ops-jira.apiToken',
        'evidence.binders.signingKey',
      ]) {
        expect(output).toContain(key);
      }
    } finally {
      stop(backend.child);
    }
  });

  it('starts with keys of its own from the environment', async () => {
    const key = () => randomBytes(32).toString('base64');
    const keys: Record<string, string> = {
      OPS_AUDIT_KEY_ID: 'test-audit-1',
      OPS_AUDIT_KEY: key(),
      PRIVACY_IDENTIFIERS_KEY_ID: 'test-ids-1',
      PRIVACY_IDENTIFIERS_KEY: key(),
      PRIVACY_SUBJECT_PEPPER: key(),
      SLO_PAGERDUTY_ROUTING_KEY: key(),
      SLO_SLACK_TOKEN: `xoxb-${key()}`,
      SLO_SLACK_CHANNEL: 'C0PROD0001',
      SLO_JIRA_URL: 'https://jira.example.com',
      SLO_JIRA_EMAIL: 'slo@example.com',
      SLO_JIRA_API_TOKEN: key(),
      SLO_JIRA_PROJECT_KEY: 'OPS',
      EVIDENCE_BINDER_SIGNING_KEY: generateKeyPairSync('ed25519')
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
    };
    for (const region of ['EU', 'US', 'UK', 'APAC']) {
      keys[`PRIVACY_${region}_KEY_ID`] = `test-${region.toLowerCase()}-1`;
      keys[`PRIVACY_${region}_MASTER_KEY`] = key();
    }
    const backend = await startProduction(keys);
    try {
      // Every ops plugin: a plugin that fails late stops the process even
      // after the first one answers.
      let up = true;
      for (const plugin of ['privacy', 'slo', 'evidence', 'drills']) {
        up &&= await healthy(
          `http://localhost:${backend.port}/api/${plugin}/health`,
          backend.exited,
          180_000,
        );
      }
      expect({ up, output: up ? '' : backend.output().slice(-3000) }).toEqual({
        up: true,
        output: '',
      });
    } finally {
      stop(backend.child);
      await backend.exited;
    }
  });
});
