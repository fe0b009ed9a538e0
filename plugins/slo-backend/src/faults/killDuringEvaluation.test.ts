/*
 * Fault: the SLO backend dies with SIGKILL in the middle of an evaluation or
 * of a delivery, and a fresh process takes over.
 *
 * PostgreSQL (a database created for this run) holds OBJECTIVES push-fed
 * objectives; BURNING of them had a 20x burn for the last hour, so each of
 * those fires its four default tiers (two pages to PagerDuty, two tickets to
 * Jira); the rest are healthy. A child process (./sloChild.ts) runs the
 * evaluation at one fixed minute, the audit chainer and an outbox worker
 * with the real notifiers, pointed at the fake PagerDuty and Jira of this
 * process behind a proxy that passes each request on at once but holds the
 * answer back: a kill during a delivery comes after the vendor acted and
 * before the child knew.
 *
 * The child is killed at fixed points: twice during evaluateAll (at a
 * quarter and at 70 % of the alerts), twice during delivery (at a third of
 * the PagerDuty triggers and at 70 % of the Jira issues), then a last child
 * runs to the end. Afterwards: one alert row per (objective, tier) that
 * fires and none other, one PagerDuty incident per page alert's dedup key,
 * one Jira issue per ticket alert, every delivery delivered, one
 * `alert.fired` audit event per alert, and the audit chain verifies.
 */
import { ChildProcess, spawn } from 'node:child_process';
import {
  IncomingMessage,
  Server,
  ServerResponse,
  createServer,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { dedupKey } from '../engine';
import { jiraAlertLabel } from '../notify/jira';
import { pushObjectiveYaml, sloServices } from '../testing/sloTestDatabase';
import { FakeJira } from '../testing/vendors/FakeJira';
import { FakePagerDuty } from '../testing/vendors/FakePagerDuty';
import type { ChildSpec } from './sloChild';

jest.setTimeout(90_000);

const OBJECTIVES = 60;
const BURNING = 40;
const TIERS = ['page-1h', 'page-6h', 'ticket-1d', 'ticket-3d'];
const EXPECTED_ALERTS = BURNING * TIERS.length;
const MINUTE = 60_000;
const LEASE_MS = 1_500;
const HOLD_MS = 150;

const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });
const withPostgres = databases.eachSupportedId().length
  ? describe
  : describe.skip;

const PACKAGE = '@internal/plugin-slo-backend';
const CHILD = resolvePackagePath(PACKAGE, 'src/faults/sloChild.ts');

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/**
 * In front of a fake vendor: passes each request on at once, and answers the
 * caller `holdMs` later. `inFlight` counts requests the vendor has answered
 * and the caller has not yet heard of.
 */
class HoldingProxy {
  inFlight = 0;
  #server: Server;
  url = '';

  constructor(
    private readonly target: string,
    private readonly holdMs: number,
  ) {
    this.#server = createServer((req, res) => void this.#pass(req, res));
  }

  async #pass(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === 'string' && !['host', 'connection'].includes(k))
        headers[k] = v;
    }
    const answer = await fetch(`${this.target}${req.url}`, {
      method: req.method,
      headers,
      body: body.length ? body : undefined,
    });
    const text = await answer.text();
    this.inFlight += 1;
    await sleep(this.holdMs);
    this.inFlight -= 1;
    res.on('error', () => {}); // the caller may be dead
    res.writeHead(answer.status, {
      'content-type': answer.headers.get('content-type') ?? 'text/plain',
    });
    res.end(text);
  }

  async start(): Promise<this> {
    await new Promise<void>(r => this.#server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${
      (this.#server.address() as AddressInfo).port
    }`;
    return this;
  }

  async close() {
    this.#server.closeAllConnections();
    await new Promise(r => this.#server.close(r));
  }
}

interface Child {
  process: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<number | string | null>;
}

function spawnChild(spec: ChildSpec): Child {
  const transform = require.resolve(
    '@backstage/cli-node/config/nodeTransform.cjs',
  );
  const child = spawn(process.execPath, ['--require', transform, CHILD], {
    cwd: resolvePackagePath(PACKAGE),
    env: { ...process.env, SLO_FAULT_SPEC: JSON.stringify(spec) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', c => stdout.push(c));
  child.stderr!.setEncoding('utf8').on('data', c => stderr.push(c));
  const exited = new Promise<number | string | null>(resolve =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  return { process: child, stdout, stderr, exited };
}

async function killHard(child: Child) {
  if (child.process.exitCode === null && child.process.signalCode === null) {
    child.process.kill('SIGKILL');
  }
  return child.exited;
}

withPostgres(
  'SIGKILL of the SLO backend during evaluation and delivery',
  () => {
    let knex: Knex;
    let pager: FakePagerDuty;
    let jira: FakeJira;
    let pagerProxy: HoldingProxy;
    let jiraProxy: HoldingProxy;
    const children: Child[] = [];

    afterAll(async () => {
      await Promise.all(children.map(killHard));
      await Promise.all([pagerProxy?.close(), jiraProxy?.close()]);
      await Promise.all([pager?.close(), jira?.close()]);
    });

    it('loses no alert and sends none twice across kills at five points', async () => {
      const started = Date.now();
      const timeline: string[] = [];
      const mark = (what: string) =>
        timeline.push(`${((Date.now() - started) / 1000).toFixed(2)}s ${what}`);

      knex = await databases.init('POSTGRES_15');
      const at = Math.floor(Date.now() / MINUTE) * MINUTE - MINUTE;
      const names = Array.from(
        { length: OBJECTIVES },
        (_, i) => `svc-${String(i).padStart(2, '0')}-availability`,
      );
      const services = await sloServices(knex, {
        files: names.map(name => ({
          file: `${name}.yaml`,
          text: pushObjectiveYaml(name, {
            service: name.replace(/-availability$/, ''),
          }),
        })),
        now: () => new Date(at + MINUTE),
        logger: mockServices.logger.mock(),
      });
      expect(services.discovered.problems).toEqual([]);
      // The last hour: 98 % good (20x the 0.1 % budget) for the burning ones.
      for (const [i, name] of names.entries()) {
        await services.samples.upsertMinutes(
          name,
          Array.from({ length: 60 }, (_, m) => ({
            minute: new Date(at - (59 - m) * MINUTE),
            good: i < BURNING ? 980 : 1000,
            total: 1000,
          })),
          'push',
        );
      }
      mark('database ready');

      pager = await new FakePagerDuty().start();
      jira = await new FakeJira().start();
      pagerProxy = await new HoldingProxy(pager.url, HOLD_MS).start();
      jiraProxy = await new HoldingProxy(jira.url, HOLD_MS).start();
      const spec: ChildSpec = {
        connection: (knex.client as { connectionSettings: unknown })
          .connectionSettings,
        at,
        pagerDuty: { url: pagerProxy.url, routingKey: pager.routingKey },
        jira: {
          url: jiraProxy.url,
          email: jira.email,
          apiToken: jira.apiToken,
          projectKey: jira.projectKey,
        },
        leaseMs: LEASE_MS,
      };

      const count = async (table: string) =>
        Number((await knex(table).count({ n: '*' }))[0].n);
      const triggers = () =>
        pager.events.filter(e => e.eventAction === 'trigger').length;

      /** Starts a child and kills it once `when` holds; answers what held at the kill. */
      async function killWhen(label: string, when: () => Promise<boolean>) {
        const child = spawnChild(spec);
        children.push(child);
        const deadline = Date.now() + 30_000;
        while (!(await when())) {
          if (child.process.exitCode !== null || Date.now() > deadline) {
            throw new Error(
              `${label}: the child ended or the point never came (${
                child.process.exitCode
              }); stdout ${child.stdout.join('')}; stderr ${child.stderr.join(
                '',
              )}`,
            );
          }
          await sleep(5);
        }
        // Read in the same tick as the SIGKILL: once the child is gone, a held
        // answer may finish its hold before the state below is read.
        const inFlightAtKill = pagerProxy.inFlight + jiraProxy.inFlight;
        await killHard(child);
        const state = {
          alerts: await count('slo_alerts'),
          outboxUndelivered: Number(
            (
              await knex('slo_outbox')
                .whereNot('state', 'delivered')
                .count({ n: '*' })
            )[0].n,
          ),
          inFlight: inFlightAtKill,
          evaluated: child.stdout.join('').includes('EVALUATED'),
          triggers: triggers(),
          issues: jira.issues.length,
        };
        mark(`${label}: killed at ${JSON.stringify(state)}`);
        return state;
      }

      // 1 and 2: during evaluateAll.
      const first = await killWhen(
        'kill 1 (evaluating)',
        async () => (await count('slo_alerts')) >= EXPECTED_ALERTS / 4,
      );
      expect(first.evaluated).toBe(false);
      expect(first.alerts).toBeLessThan(EXPECTED_ALERTS);
      const second = await killWhen(
        'kill 2 (evaluating)',
        async () => (await count('slo_alerts')) >= EXPECTED_ALERTS * 0.7,
      );
      expect(second.evaluated).toBe(false);
      expect(second.alerts).toBeLessThan(EXPECTED_ALERTS);

      // 3 and 4: during delivery, with answers held back.
      const third = await killWhen(
        'kill 3 (delivering)',
        async () => triggers() >= (BURNING * 2) / 3 && pagerProxy.inFlight > 0,
      );
      expect(third.evaluated).toBe(true);
      expect(third.outboxUndelivered).toBeGreaterThan(0);
      expect(third.inFlight).toBeGreaterThan(0);
      const fourth = await killWhen(
        'kill 4 (delivering)',
        async () =>
          jira.issues.length >= BURNING * 2 * 0.7 && jiraProxy.inFlight > 0,
      );
      expect(fourth.outboxUndelivered).toBeGreaterThan(0);
      expect(fourth.inFlight).toBeGreaterThan(0);

      // 5: a fresh process evaluates and delivers to the end.
      const last = spawnChild(spec);
      children.push(last);
      const code = await Promise.race([
        last.exited,
        sleep(40_000).then(() => 'timeout'),
      ]);
      mark(`last child ended: ${code}`);
      expect({
        code,
        stdout: last.stdout.join('').trim().split('\n').pop(),
      }).toEqual({ code: 0, stdout: 'DONE' });
      const lastSummary = JSON.parse(
        last.stdout.join('').match(/^EVALUATED (.*)$/m)![1],
      );

      // One alert per (objective, tier) that fires; none for the healthy ones.
      const alertRows: Array<{
        id: string;
        objective_ref: string;
        tier: string;
        severity: string;
        dedup_key: string;
      }> = await knex('slo_alerts').select();
      const expectedPairs = names
        .slice(0, BURNING)
        .flatMap(name => TIERS.map(tier => `${name} ${tier}`))
        .sort();
      expect(alertRows.map(a => `${a.objective_ref} ${a.tier}`).sort()).toEqual(
        expectedPairs,
      );

      // PagerDuty: one incident per page alert's dedup key.
      const pages = alertRows.filter(a => a.severity === 'page');
      const incidentsByKey = new Map<string, number>();
      for (const incident of pager.incidents) {
        incidentsByKey.set(
          incident.dedupKey,
          (incidentsByKey.get(incident.dedupKey) ?? 0) + 1,
        );
      }
      expect(Object.fromEntries(incidentsByKey)).toEqual(
        Object.fromEntries(
          pages.map(a => [dedupKey(a.objective_ref, a.tier), 1] as const),
        ),
      );

      // Jira: one issue per ticket alert, found by its label.
      const tickets = alertRows.filter(a => a.severity === 'ticket');
      const issuesByLabel = new Map<string, number>();
      for (const issue of jira.issues) {
        for (const label of issue.labels.filter(l => l !== 'slo-alert')) {
          issuesByLabel.set(label, (issuesByLabel.get(label) ?? 0) + 1);
        }
      }
      expect(Object.fromEntries(issuesByLabel)).toEqual(
        Object.fromEntries(
          tickets.map(a => [jiraAlertLabel(a.id), 1] as const),
        ),
      );
      expect(jira.issues).toHaveLength(BURNING * 2);

      // Every delivery delivered, one per alert (each tier has one target).
      const outboxRows: Array<{ state: string }> = await knex(
        'slo_outbox',
      ).select('state');
      expect(outboxRows).toHaveLength(EXPECTED_ALERTS);
      expect(new Set(outboxRows.map(r => r.state))).toEqual(
        new Set(['delivered']),
      );

      // Audit: one alert.fired per alert, and the chain verifies.
      await services.audit.chainPending({ wait: true });
      expect(await count('slo_audit_pending')).toBe(0);
      const fired = new Map<string, number>();
      for (const alert of alertRows) {
        const events = await services.audit.forRecord(alert.id);
        fired.set(
          alert.id,
          events.filter(e => e.type === 'alert.fired').length,
        );
      }
      expect(new Set(fired.values())).toEqual(new Set([1]));
      const verification = await services.audit.verify();
      expect(verification).toEqual({ ok: true, count: EXPECTED_ALERTS });

      // eslint-disable-next-line no-console
      console.log(
        [
          `SIGKILL fault: ${OBJECTIVES} objectives, ${BURNING} burning, ${EXPECTED_ALERTS} alerts expected`,
          ...timeline,
          `last child's evaluation: ${JSON.stringify(lastSummary)}`,
          `PagerDuty: ${
            pager.events.length
          } events (${triggers()} triggers) for ${
            pager.incidents.length
          } incidents; Jira: ${jira.issues.length} issues, ${
            jira.requests.length
          } requests`,
          `audit: ${JSON.stringify(verification)}`,
        ].join('\n'),
      );
    });
  },
);
