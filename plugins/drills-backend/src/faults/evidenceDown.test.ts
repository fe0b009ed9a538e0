import { TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  ANY_TOKEN,
  EvidenceApiDouble,
} from '../evidence/__testUtils__/EvidenceApiDouble';
import { API, as, startDrillsBackend } from './__testUtils__/drillsTestBackend';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 200));
  }
}

describe.each(databases.eachSupportedId())(
  'a run finishing while the evidence plugin is down, on %p',
  databaseId => {
    it('has its report at once, and is filed once when evidence returns', async () => {
      const evidence = await EvidenceApiDouble.start(ANY_TOKEN);
      await evidence.stop();
      const drills = await startDrillsBackend(databases, databaseId, {
        evidenceBaseUrl: evidence.baseUrl,
      });
      try {
        const started = await request(drills.server)
          .post(`${API}/runs`)
          .set('Authorization', as('dave'))
          .send({ scenarioId: 'key-rotation' });
        expect(started.status).toBe(201);
        const runId: string = started.body.id;
        const finished = await request(drills.server)
          .post(`${API}/runs/${runId}/finish`)
          .set('Authorization', as('dave'))
          .send({});
        expect(finished.status).toBe(200);
        expect(finished.body.evidence).toMatchObject({ state: 'pending' });

        // The report does not wait for the evidence plugin.
        const report = await request(drills.server)
          .get(`${API}/runs/${runId}/report.md`)
          .set('Authorization', as('erin'));
        expect(report.status).toBe(200);
        expect(report.text).toContain('# Drill report:');

        const getRun = async () =>
          (
            await request(drills.server)
              .get(`${API}/runs/${runId}`)
              .set('Authorization', as('erin'))
          ).body;
        const failing = await eventually('a failed attempt', async () => {
          const run = await getRun();
          return run.evidence.attempts >= 1 && run.evidence.lastError
            ? run
            : undefined;
        });
        expect(failing.evidence).toMatchObject({ state: 'pending' });
        expect(failing.evidence.lastError).toMatch(/HTTP request failed/);
        expect(failing.evidence.lastError).not.toContain('127.0.0.1');

        evidence.finishedRuns.add(runId);
        await evidence.restart();
        const filed = await eventually('the filing', async () => {
          const run = await getRun();
          return run.evidence.state === 'filed' ? run : undefined;
        });
        expect(evidence.items).toHaveLength(1);
        expect(filed.evidence.itemId).toBe(evidence.items[0].id);
        expect(
          drills.publish.mock.calls.some(
            ([signal]) =>
              signal.channel === `drills:run:${runId}` &&
              (signal.message as { change: string }).change === 'evidence',
          ),
        ).toBe(true);

        // Delivered: later worker passes file nothing more.
        await new Promise(resolve => setTimeout(resolve, 3_000));
        expect(evidence.items).toHaveLength(1);
        expect(evidence.collectorRuns).toHaveLength(1);
      } finally {
        await drills.stop();
        await evidence.stop().catch(() => {});
      }
    });
  },
);
