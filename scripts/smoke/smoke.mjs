// Browser smoke test: builds the real portal, starts it, opens each ops page
// and one entity page in headless Chromium, records a consent through the
// privacy page's dialog, and fails on any console error, page error or failed
// request. Screenshots go to the folder it prints.
//
//   node scripts/smoke/smoke.mjs [--skip-build]
//
// Writes a JSON summary ({ passed, failed, checks }) to $SMOKE_RESULT_FILE
// when that is set.
import { spawn, spawnSync } from 'node:child_process';
import {
  createWriteStream,
  mkdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const baseUrl = 'http://localhost:7017';
const configArgs = [
  '--config',
  join(root, 'app-config.yaml'),
  '--config',
  join(root, 'scripts/smoke/app-config.smoke.yaml'),
];
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const screenshotDir =
  process.env.SMOKE_SCREENSHOT_DIR ?? join(root, '.ci/screenshots', stamp);
const backendLog = join(screenshotDir, 'backend.log');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Each page: where, what must be visible, and a file name for its screenshot. */
const pages = [
  {
    name: 'privacy',
    path: '/privacy',
    expect: ['Privacy requests', 'DSAR queue'],
  },
  {
    name: 'privacy-request',
    path: '/privacy',
    // Opens the first completed demo export of the queue.
    open: 'completed',
    expect: ['Data sources', 'Export bundle', 'Timeline'],
  },
  {
    name: 'slo',
    path: '/slo',
    expect: ['Service level objectives', 'Objectives'],
  },
  {
    name: 'evidence',
    path: '/evidence',
    expect: [
      'SOC 2 evidence',
      'CC1 · Control environment',
      'CC9 · Risk mitigation',
    ],
  },
  { name: 'drills', path: '/drills', expect: ['DR drills', 'Drill runs'] },
  {
    name: 'entity-checkout',
    path: '/catalog/default/component/checkout',
    expect: ['checkout', 'Privacy', 'SLOs'],
  },
  {
    name: 'entity-checkout-privacy',
    path: '/catalog/default/component/checkout/privacy',
    expect: ['Personal-data stores', 'checkout-db'],
  },
];

const checks = [];
const record = (name, ok, detail = '') => {
  checks.push({ name, ok, detail });
  console.log(
    `${ok ? 'ok' : 'not ok'} - ${name}${detail ? `: ${detail}` : ''}`,
  );
};

function yarn(args, options = {}) {
  const release = readFileSync(join(root, '.yarnrc.yml'), 'utf8').match(
    /yarnPath:\s*(\S+)/,
  )[1];
  return [
    process.execPath,
    [join(root, release), ...args],
    { cwd: root, ...options },
  ];
}

/** The pids of a process and all its descendants (backstage-cli starts the backend as a child). */
function processTree(pid) {
  const children = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], {
    encoding: 'utf8',
  })
    .stdout.split('\n')
    .map(Number)
    .filter(Boolean);
  return [pid, ...children.flatMap(processTree)];
}

/**
 * Stops the backend from the leaves up: the backend process itself first, so
 * its shutdown hooks can still reach backstage-cli, then the rest.
 */
async function stopTree(pid) {
  const pids = processTree(pid).reverse();
  const alive = p => {
    try {
      process.kill(p, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (const p of pids) {
    try {
      process.kill(p, 'SIGTERM');
    } catch {
      continue; // already gone
    }
    for (let i = 0; i < 30 && alive(p); i++)
      await new Promise(r => setTimeout(r, 500));
    if (alive(p)) process.kill(p, 'SIGKILL');
  }
}

async function waitFor(what, probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await probe()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 1000));
  }
}

/**
 * Records a consent through the dialog on the privacy page, for a demo
 * subject, and reads the new state back in the consent lookup card. Returns
 * what went wrong, if anything.
 */
async function recordConsent(page) {
  const subject = 'customer-1005';
  // Unique per run, so the rows found below are this run's.
  const source = `smoke-${stamp}`;
  const faults = [];
  await page.goto(`${baseUrl}/privacy`);
  await page.waitForLoadState('networkidle');
  await page.getByLabel('Subject id', { exact: true }).fill(subject);
  await page.getByRole('button', { name: 'Look up' }).click();
  await page
    .getByText(`Consent of ${subject}`, { exact: true })
    .waitFor({ timeout: 10_000 });

  await page.getByRole('button', { name: 'Record consent' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor({ timeout: 5000 });
  const prefilled = await dialog.getByLabel('Subject id').inputValue();
  if (prefilled !== subject) {
    faults.push(`subject id prefilled with "${prefilled}"`);
  }
  await dialog.getByLabel('Purpose').selectOption('analytics');
  await dialog.getByLabel('Withdrawn').check();
  await dialog.getByLabel('Source').fill(source);
  await dialog.getByRole('button', { name: 'Record', exact: true }).click();
  await dialog.waitFor({ state: 'hidden', timeout: 10_000 });

  // One row in the current consents, one in the history.
  const rows = page
    .locator('tr')
    .filter({ hasText: 'analytics' })
    .filter({ hasText: 'withdrawn' })
    .filter({ hasText: source });
  await rows.nth(1).waitFor({ timeout: 10_000 });
  return faults;
}

async function main() {
  mkdirSync(screenshotDir, { recursive: true });
  console.log(`smoke: screenshots and backend log in ${screenshotDir}`);

  if (!process.argv.includes('--skip-build')) {
    const started = Date.now();
    const [cmd, args, opts] = yarn(
      ['workspace', 'app', 'build', ...configArgs],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const build = spawnSync(cmd, args, opts);
    record(
      'frontend builds',
      build.status === 0,
      `${Math.round((Date.now() - started) / 1000)} s`,
    );
    if (build.status !== 0) return;
  }

  const log = createWriteStream(backendLog);
  const [cmd, args, opts] = yarn(
    ['workspace', 'backend', 'start', ...configArgs],
    {
      env: { ...process.env, FORCE_COLOR: '0' },
    },
  );
  const backend = spawn(cmd, args, opts);
  backend.stdout.pipe(log);
  backend.stderr.pipe(log);
  let browser;
  try {
    await waitFor(
      'the backend',
      async () =>
        (
          await fetch(`${baseUrl}/api/privacy/health`, {
            signal: AbortSignal.timeout(2000),
          })
        ).ok,
      180_000,
    );
    for (const id of ['privacy', 'slo', 'evidence', 'drills']) {
      const res = await fetch(`${baseUrl}/api/${id}/health`);
      record(
        `GET /api/${id}/health`,
        res.status === 200,
        `status ${res.status}`,
      );
    }

    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const page = await browser.newPage({
      viewport: { width: 1440, height: 900 },
    });
    let problems = [];
    page.on('console', msg => {
      if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
    });
    page.on('pageerror', error =>
      problems.push(`page error: ${error.message}`),
    );
    page.on('requestfailed', req => {
      // ERR_ABORTED is the browser dropping a request because we navigated on.
      if (req.failure()?.errorText !== 'net::ERR_ABORTED') {
        problems.push(
          `request failed: ${req.url()} ${req.failure()?.errorText}`,
        );
      }
    });
    page.on('response', res => {
      if (res.status() >= 400)
        problems.push(`HTTP ${res.status()}: ${res.url()}`);
    });

    // Sign in as the demo guest, as a new user would.
    await page.goto(`${baseUrl}/`);
    const enter = page.getByRole('button', { name: 'Enter' });
    await enter.waitFor({ timeout: 60_000 });
    await enter.click();
    await page
      .getByText('Privacy', { exact: true })
      .first()
      .waitFor({ timeout: 30_000 });
    await page.waitForLoadState('networkidle');
    record('guest sign-in', problems.length === 0, problems.join(' | '));

    for (const target of pages) {
      problems = [];
      let missing = [];
      for (let attempt = 0; attempt < 10; attempt++) {
        await page.goto(`${baseUrl}${target.path}`);
        await page.waitForLoadState('networkidle');
        if (target.open) {
          // The first table row in that state whose link leads to a request page.
          const row = page
            .locator('tr')
            .filter({ hasText: target.open })
            .filter({ hasText: 'export' })
            .first();
          await row
            .locator('a[href*="/requests/"]')
            .first()
            .click({ timeout: 5000 })
            .catch(() => {});
          await page.waitForLoadState('networkidle');
        }
        missing = [];
        for (const text of target.expect) {
          if (
            !(await page
              .getByText(text, { exact: true })
              .first()
              .isVisible()
              .catch(() => false))
          ) {
            missing.push(text);
          }
        }
        if (missing.length === 0) break;
        // The catalog ingests the demo entities in the first seconds after start-up.
        problems = [];
        await new Promise(r => setTimeout(r, 2000));
      }
      const inShell = await page
        .locator('nav')
        .getByText('Evidence', { exact: true })
        .isVisible()
        .catch(() => false);
      const errorPanel = await page
        .getByText(/^Error:|Could not load/)
        .first()
        .isVisible()
        .catch(() => false);
      await page.screenshot({
        path: join(screenshotDir, `${target.name}.png`),
        fullPage: true,
      });
      const faults = [
        ...missing.map(text => `missing "${text}"`),
        ...(inShell ? [] : ['sidebar not rendered']),
        ...(errorPanel ? ['error panel shown'] : []),
        ...problems,
      ];
      record(
        `page ${target.name} (${target.path})`,
        faults.length === 0,
        faults.join(' | '),
      );
    }

    problems = [];
    const consentFaults = await recordConsent(page).catch(error => [
      error.message.split('\n')[0],
    ]);
    await page.screenshot({
      path: join(screenshotDir, 'privacy-consent.png'),
      fullPage: true,
    });
    const consentErrorPanel = await page
      .getByText(/^Error:|Could not (load|look up)/)
      .first()
      .isVisible()
      .catch(() => false);
    const faults = [
      ...consentFaults,
      ...(consentErrorPanel ? ['error panel shown'] : []),
      ...problems,
    ];
    record(
      'record consent through the dialog (/privacy)',
      faults.length === 0,
      faults.join(' | '),
    );
  } catch (error) {
    record('smoke run', false, error.message);
  } finally {
    await browser?.close();
    await stopTree(backend.pid);
    log.end();
  }

  const errorLines = readFileSync(backendLog, 'utf8')
    .split('\n')
    .filter(line => /\berror\b/i.test(line) && !/rootHttpRouter/.test(line));
  record(
    'backend log has no error line',
    errorLines.length === 0,
    errorLines.slice(0, 5).join(' | '),
  );
}

await main();
const passed = checks.filter(c => c.ok).length;
const failed = checks.length - passed;
if (process.env.SMOKE_RESULT_FILE) {
  writeFileSync(
    process.env.SMOKE_RESULT_FILE,
    JSON.stringify({ passed, failed, checks, screenshotDir }, null, 2),
  );
}
console.log(
  `smoke: ${passed} passed, ${failed} failed; screenshots in ${screenshotDir}`,
);
process.exit(failed === 0 ? 0 : 1);
