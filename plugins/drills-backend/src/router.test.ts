import { TestDatabases } from '@backstage/backend-test-utils';
import type { RunStep, RunView } from '@internal/plugin-drills-common';
import type { Server } from 'node:http';
import request from 'supertest';
import {
  API,
  DrillsTestBackend,
  as,
  startDrillsBackend,
} from './faults/__testUtils__/drillsTestBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const SCENARIO = 'bad-deploy-rollback';
const DAVE = 'user:default/dave';
const ERIN = 'user:default/erin';

/** Reads a supertest binary response into one Buffer. */
function binary(
  res: request.Response,
  callback: (error: Error | null, body: Buffer) => void,
) {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

describe.each(databases.eachSupportedId())(
  'drills routes on %p',
  databaseId => {
    let backend: DrillsTestBackend;
    let server: Server;

    beforeEach(async () => {
      backend = await startDrillsBackend(databases, databaseId);
      server = backend.server;
    });
    afterEach(async () => {
      await backend.stop();
    });

    const get = (path: string, user = 'dave') =>
      request(server).get(`${API}${path}`).set('Authorization', as(user));
    const post = (path: string, body: object = {}, user = 'dave') =>
      request(server)
        .post(`${API}${path}`)
        .set('Authorization', as(user))
        .send(body);
    const check = (
      runId: string,
      stepId: string,
      body: { checked: boolean; expectedVersion: number },
      user = 'erin',
    ) =>
      request(server)
        .put(`${API}/runs/${runId}/steps/${stepId}`)
        .set('Authorization', as(user))
        .send(body);

    const count = async (table: string) =>
      Number((await backend.knex(table).count({ n: '*' }))[0].n);

    /** dave leads a run of SCENARIO, erin is scribe. */
    async function startRun(): Promise<RunView> {
      const res = await post('/runs', {
        scenarioId: SCENARIO,
        participants: [{ entityRef: ERIN, role: 'scribe' }],
      });
      expect(res.status).toBe(201);
      return res.body;
    }
    const stepsOf = (run: RunView) => run.phases.flatMap(p => p.steps);
    const stepOf = async (runId: string, stepId: string): Promise<RunStep> =>
      stepsOf((await get(`/runs/${runId}`)).body).find(s => s.id === stepId)!;

    it('starts a run with the caller as lead, and refuses unknown scenarios and months off the calendar', async () => {
      const run = await startRun();
      expect(run).toMatchObject({
        scenarioId: SCENARIO,
        state: 'running',
        lead: DAVE,
        calendarMonth: null,
      });
      expect(run.participants).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ entityRef: DAVE, role: 'lead' }),
          expect.objectContaining({ entityRef: ERIN, role: 'scribe' }),
        ]),
      );
      expect(stepsOf(run).length).toBeGreaterThan(0);
      expect(stepsOf(run).every(s => s.version === 0 && !s.checked)).toBe(true);

      const unknown = await post('/runs', { scenarioId: 'no-such-scenario' });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.message).toContain('no-such-scenario');

      const { entries } = (await get('/calendar')).body as {
        entries: Array<{ month: string; scenarioId: string; status: string }>;
      };
      const next = entries.find(e => e.status !== 'skipped')!;
      const other = entries.find(e => e.scenarioId !== next.scenarioId)!;
      const mismatch = await post('/runs', {
        scenarioId: other.scenarioId,
        calendarMonth: next.month,
      });
      expect(mismatch.status).toBe(400);
      expect(mismatch.body.error.message).toContain(
        `${next.month} drills ${next.scenarioId}, not ${other.scenarioId}`,
      );
      const offCalendar = await post('/runs', {
        scenarioId: SCENARIO,
        calendarMonth: '2020-01',
      });
      expect(offCalendar.status).toBe(400);
      expect(offCalendar.body.error.message).toContain(
        '2020-01 has no drill on the calendar',
      );
      expect(await count('drill_runs')).toBe(1);

      const planned = await post('/runs', {
        scenarioId: next.scenarioId,
        calendarMonth: next.month,
      });
      expect(planned.status).toBe(201);
      expect(planned.body.calendarMonth).toBe(next.month);
      expect(await count('drill_runs')).toBe(2);
    });

    it('lets participants check steps, with a 409 and the current step on a stale version', async () => {
      const run = await startRun();
      const [first] = stepsOf(run);

      const checked = await check(run.id, first.id, {
        checked: true,
        expectedVersion: 0,
      });
      expect(checked.status).toBe(200);
      expect(checked.body).toMatchObject({
        id: first.id,
        checked: true,
        version: 1,
        updatedBy: ERIN,
      });

      const stale = await check(
        run.id,
        first.id,
        { checked: false, expectedVersion: 0 },
        'dave',
      );
      expect(stale.status).toBe(409);
      expect(stale.body.error.message).toMatch(/not version 0/);
      expect(stale.body.current).toMatchObject({
        id: first.id,
        checked: true,
        version: 1,
        updatedBy: ERIN,
      });
      expect(await stepOf(run.id, first.id)).toEqual(checked.body);

      const outsider = await check(
        run.id,
        first.id,
        { checked: false, expectedVersion: 1 },
        'mallory',
      );
      expect(outsider.status).toBe(403);
      expect(outsider.body.error.message).toContain('mallory');
      expect(await stepOf(run.id, first.id)).toEqual(checked.body);

      const missing = await check(run.id, 'no-such-step', {
        checked: true,
        expectedVersion: 0,
      });
      expect(missing.status).toBe(404);
      const noRun = await check('no-such-run', first.id, {
        checked: true,
        expectedVersion: 0,
      });
      expect(noRun.status).toBe(404);

      expect(backend.publish).toHaveBeenCalledWith(
        expect.objectContaining({
          channel: `drills:run:${run.id}`,
          message: expect.objectContaining({
            runId: run.id,
            change: 'step',
            by: ERIN,
          }),
        }),
      );
      // One change, one signal: the refused ones announce nothing.
      expect(
        backend.publish.mock.calls.filter(
          ([signal]) => signal.channel === `drills:run:${run.id}`,
        ),
      ).toHaveLength(1);
    });

    it('records checkpoints, notes, action items and attachments, each announced on the run channel', async () => {
      const run = await startRun();
      const [step] = stepsOf(run);
      const [checkpoint] = run.checkpoints;

      const reached = await post(
        `/runs/${run.id}/checkpoints/${checkpoint.id}`,
        {},
        'erin',
      );
      expect(reached.status).toBe(200);
      expect(reached.body).toMatchObject({
        id: checkpoint.id,
        reachedBy: ERIN,
      });
      expect(reached.body.reachedAt).not.toBeNull();
      expect(
        (await post(`/runs/${run.id}/checkpoints/${checkpoint.id}`)).status,
      ).toBe(409);
      expect(
        (await post(`/runs/${run.id}/checkpoints/no-such-checkpoint`)).status,
      ).toBe(404);

      const note = await post(
        `/runs/${run.id}/steps/${step.id}/notes`,
        { text: 'Rollout paused at 40%' },
        'erin',
      );
      expect(note.status).toBe(201);
      expect(note.body).toMatchObject({
        stepId: step.id,
        author: ERIN,
        text: 'Rollout paused at 40%',
      });

      const item = await post(`/runs/${run.id}/action-items`, {
        title: 'Alert on failed rollouts',
        owner: 'user:default/Erin',
        dueDate: '2027-01-31',
      });
      expect(item.status).toBe(201);
      expect(item.body).toMatchObject({
        title: 'Alert on failed rollouts',
        owner: ERIN,
        dueDate: '2027-01-31',
      });

      const bytes = Buffer.from('kubectl rollout undo deployment/checkout\n');
      const upload = await request(server)
        .post(`${API}/runs/${run.id}/steps/${step.id}/attachments`)
        .set('Authorization', as('erin'))
        .attach('file', bytes, {
          filename: 'rollback.txt',
          contentType: 'text/plain',
        });
      expect(upload.status).toBe(201);
      expect(upload.body).toMatchObject({
        stepId: step.id,
        fileName: 'rollback.txt',
        mediaType: 'text/plain',
        sizeBytes: bytes.length,
        uploadedBy: ERIN,
      });
      const download = await get(
        `/runs/${run.id}/attachments/${upload.body.id}/content`,
      )
        .buffer(true)
        .parse(binary);
      expect(download.status).toBe(200);
      expect(download.headers['content-type']).toContain('text/plain');
      expect(download.headers['content-disposition']).toContain('rollback.txt');
      expect(Buffer.compare(download.body, bytes)).toBe(0);
      expect(
        (await get(`/runs/${run.id}/attachments/no-such-attachment/content`))
          .status,
      ).toBe(404);

      const view: RunView = (await get(`/runs/${run.id}`)).body;
      expect(view.notes.map(n => n.id)).toEqual([note.body.id]);
      expect(view.actionItems.map(a => a.id)).toEqual([item.body.id]);
      expect(view.attachments.map(a => a.id)).toEqual([upload.body.id]);

      const changes = backend.publish.mock.calls
        .filter(([signal]) => signal.channel === `drills:run:${run.id}`)
        .map(([signal]) => (signal.message as { change: string }).change);
      expect(changes).toEqual([
        'checkpoint',
        'note',
        'action-item',
        'attachment',
      ]);
    });

    it('lets only the lead finish, then serves the report and refuses changes', async () => {
      const run = await startRun();
      const [step] = stepsOf(run);
      expect((await get(`/runs/${run.id}/report.md`)).status).toBe(404);

      const byScribe = await post(`/runs/${run.id}/finish`, {}, 'erin');
      expect(byScribe.status).toBe(403);
      expect((await get(`/runs/${run.id}`)).body.state).toBe('running');

      const finished = await post(`/runs/${run.id}/finish`);
      expect(finished.status).toBe(200);
      expect(finished.body).toMatchObject({ id: run.id, state: 'finished' });
      expect(backend.publish).toHaveBeenCalledWith(
        expect.objectContaining({
          channel: `drills:run:${run.id}`,
          message: expect.objectContaining({ change: 'finished', by: DAVE }),
        }),
      );

      const markdown = await get(`/runs/${run.id}/report.md`);
      expect(markdown.status).toBe(200);
      expect(markdown.headers['content-type']).toContain('text/markdown');
      expect(markdown.text).toContain(run.title);

      const html = await get(`/runs/${run.id}/report.html`);
      expect(html.status).toBe(200);
      expect(html.headers['content-type']).toContain('text/html');
      expect(html.headers['content-security-policy']).toContain(
        "default-src 'none'",
      );
      expect(html.text).not.toMatch(/<script/i);

      const late = await check(run.id, step.id, {
        checked: true,
        expectedVersion: 0,
      });
      expect(late.status).toBe(409);
      expect(late.body.error.message).toMatch(/finished/);
      expect(await stepOf(run.id, step.id)).toMatchObject({
        checked: false,
        version: 0,
      });
      expect(
        (await post(`/runs/${run.id}/steps/${step.id}/notes`, { text: 'late' }))
          .status,
      ).toBe(409);
      expect((await post(`/runs/${run.id}/finish`)).status).toBe(409);
    });

    it('aborts only with a reason of ten characters or more', async () => {
      const run = await startRun();
      const short = await post(`/runs/${run.id}/abort`, { reason: 'no time' });
      expect(short.status).toBe(400);
      expect(short.body.error.message).toContain('reason');
      expect((await get(`/runs/${run.id}`)).body.state).toBe('running');

      const aborted = await post(`/runs/${run.id}/abort`, {
        reason: 'Production incident, drill postponed',
      });
      expect(aborted.status).toBe(200);
      expect(aborted.body.state).toBe('aborted');
      expect((await get(`/runs/${run.id}/report.html`)).status).toBe(404);
    });

    it('answers a presence heartbeat with who is looking', async () => {
      const run = await startRun();
      const first = await post(`/runs/${run.id}/presence`);
      expect(first.status).toBe(200);
      expect(
        first.body.viewers.map((v: { entityRef: string }) => v.entityRef),
      ).toEqual([DAVE]);
      // Anyone who may read the run is a viewer, taking part or not.
      const second = await post(`/runs/${run.id}/presence`, {}, 'mallory');
      expect(
        second.body.viewers
          .map((v: { entityRef: string }) => v.entityRef)
          .sort(),
      ).toEqual([DAVE, 'user:default/mallory']);
      expect((await post('/runs/no-such-run/presence')).status).toBe(404);
    });

    it('forgets only the caller when they close the run, and tells the others', async () => {
      const run = await startRun();
      const del = (path: string, user = 'dave') =>
        request(server).delete(`${API}${path}`).set('Authorization', as(user));
      const viewers = async () =>
        (await post(`/runs/${run.id}/presence`, {}, 'erin')).body.viewers
          .map((v: { entityRef: string }) => v.entityRef)
          .sort();
      await post(`/runs/${run.id}/presence`);
      expect(await viewers()).toEqual([DAVE, ERIN]);
      backend.publish.mockClear();

      const left = await del(`/runs/${run.id}/presence`);
      expect(left.status).toBe(204);
      expect(await viewers()).toEqual([ERIN]);
      expect(backend.publish).toHaveBeenCalledTimes(1);
      expect(backend.publish.mock.calls[0][0]).toMatchObject({
        channel: `drills:run:${run.id}`,
        message: { runId: run.id, change: 'presence', by: DAVE },
      });

      // Leaving again changes nothing and tells nobody.
      backend.publish.mockClear();
      expect((await del(`/runs/${run.id}/presence`)).status).toBe(204);
      expect(backend.publish).not.toHaveBeenCalled();

      // Nobody can name someone else: the caller is the only one removed.
      const naming = [
        del(`/runs/${run.id}/presence?entityRef=${encodeURIComponent(ERIN)}`),
        del(`/runs/${run.id}/presence`).send({ entityRef: ERIN }),
      ];
      for (const res of await Promise.all(naming)) {
        expect(res.status).toBe(400);
      }
      expect(await viewers()).toEqual([ERIN]);

      expect((await del('/runs/no-such-run/presence')).status).toBe(404);
      expect((await del('/runs/%20bad%20id/presence')).status).toBe(400);
      const anonymous = await request(server).delete(
        `${API}/runs/${run.id}/presence`,
      );
      expect(anonymous.status).toBe(401);
      expect(await viewers()).toEqual([ERIN]);
    });

    it('validates calendar overrides and names the problem', async () => {
      const { entries } = (await get('/calendar')).body as {
        entries: Array<{ month: string; scenarioId: string }>;
      };
      const month = entries[2].month;
      const before = await count('drill_calendar_overrides');

      const badKind = await post('/calendar/overrides', {
        month,
        kind: 'cancel',
        reason: 'The whole team is at the offsite',
      });
      expect(badKind.status).toBe(400);
      expect(badKind.body.error.message).toMatch(/kind|skip|swap/);

      const swapNoScenario = await post('/calendar/overrides', {
        month,
        kind: 'swap',
        reason: 'The whole team is at the offsite',
      });
      expect(swapNoScenario.status).toBe(400);
      expect(swapNoScenario.body.error.message).toMatch(/scenario/i);

      const shortReason = await post('/calendar/overrides', {
        month,
        kind: 'skip',
        reason: 'offsite',
      });
      expect(shortReason.status).toBe(400);
      expect(shortReason.body.error.message).toMatch(/10 characters|reason/);

      const past = await post('/calendar/overrides', {
        month: '2020-01',
        kind: 'skip',
        reason: 'The whole team is at the offsite',
      });
      expect(past.status).toBe(400);
      expect(past.body.error.message).toContain('2020-01 is in the past');
      expect(await count('drill_calendar_overrides')).toBe(before);

      const skip = await post('/calendar/overrides', {
        month,
        kind: 'skip',
        reason: 'The whole team is at the offsite',
      });
      expect(skip.status).toBe(201);
      expect(skip.body).toMatchObject({
        month,
        kind: 'skip',
        recordedBy: DAVE,
      });
      expect((await get('/calendar/overrides')).body.items).toHaveLength(1);
      const after = (await get('/calendar')).body.entries.find(
        (e: { month: string }) => e.month === month,
      );
      expect(after.status).toBe('skipped');
    });

    it('hands out a calendar subscription whose feed needs no Authorization header', async () => {
      expect((await request(server).get(`${API}/calendar.ics`)).status).toBe(
        401,
      );
      const subscription = await get('/calendar/subscription');
      expect(subscription.status).toBe(200);
      const url = new URL(subscription.body.url);
      expect(url.pathname).toBe(`${API}/calendar/feed.ics`);

      const feed = await request(server).get(`${url.pathname}${url.search}`);
      expect(feed.status).toBe(200);
      expect(feed.headers['content-type']).toContain('text/calendar');
      expect(feed.text).toContain('BEGIN:VCALENDAR');

      const token = url.searchParams.get('token')!;
      const forged = `${token.slice(0, -2)}${
        token.endsWith('AA') ? 'BB' : 'AA'
      }`;
      for (const bad of [forged, 'not-a-token', `${token}x`]) {
        const res = await request(server)
          .get(`${API}/calendar/feed.ics`)
          .query({ token: bad });
        expect(res.status).toBe(404);
        expect(res.text).not.toContain('BEGIN:VCALENDAR');
      }
    });

    it('loses no check when two people check different steps at the same time', async () => {
      const run = await startRun();
      const steps = stepsOf(run);
      expect(steps.length).toBeGreaterThanOrEqual(4);
      const results = await Promise.all(
        steps.map((step, i) =>
          check(
            run.id,
            step.id,
            { checked: true, expectedVersion: 0 },
            i % 2 === 0 ? 'dave' : 'erin',
          ),
        ),
      );
      expect(results.map(r => r.status)).toEqual(steps.map(() => 200));
      const after = stepsOf((await get(`/runs/${run.id}`)).body);
      expect(after.every(s => s.checked && s.version === 1)).toBe(true);
      expect(after.map(s => s.updatedBy)).toEqual(
        steps.map((_, i) => (i % 2 === 0 ? DAVE : ERIN)),
      );
      expect((await get(`/runs/${run.id}`)).body.progress).toMatchObject({
        steps: steps.length,
        checked: steps.length,
      });
    });
  },
);
