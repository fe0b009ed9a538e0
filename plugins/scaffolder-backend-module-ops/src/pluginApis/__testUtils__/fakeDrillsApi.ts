import { randomUUID } from 'node:crypto';
import type { DrillCheckpoint, DrillRun } from '../drillsClient';
import {
  conflict,
  FakeAnswer,
  FakeHttpError,
  FakeRequest,
  inputError,
  notFound,
  startFakePluginServer,
} from './fakePluginServer';

/** A scenario runbook of the fake. */
export interface FakeRunbook {
  id: string;
  title: string;
  checkpoints: Array<{
    id: string;
    title: string;
    targetMinutes: number;
    phase: string;
  }>;
}

type FakeRun = DrillRun & {
  participants: Array<{ entityRef: string; role: string }>;
};

const ROLES = ['lead', 'coordinator', 'observer', 'scribe'];
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/**
 * The drills plugin's routes the actions call, under `/api/drills`, with its
 * status codes, bodies and messages (plugins/drills-backend/src/router.ts and
 * RunService): `GET /runbooks/:id`, `POST /runs` (201, the caller leads),
 * `GET /runs/:id`, `POST /runs/:id/checkpoints/:stepId` (empty body; 403
 * unless the caller takes part, 409 when the run is not running or the
 * checkpoint was reached). `now` is the fake's clock.
 */
export async function startFakeDrillsApi(options: {
  runbooks: FakeRunbook[];
  isAllowed?: (permission: string, caller: string) => boolean;
}) {
  const runs = new Map<string, FakeRun>();
  const clock = { now: new Date('2025-03-12T10:00:00Z') };

  const runbook = (id: string) => options.runbooks.find(r => r.id === id);
  const getRun = (id: string) => {
    const run = runs.get(id);
    if (!run) throw notFound(`No drill run ${id}`);
    return run;
  };
  const segment = (value: string, key: string) => {
    const decoded = decodeURIComponent(value);
    if (!SEGMENT.test(decoded))
      throw inputError(`Invalid input: ${key}: not an id`);
    return decoded;
  };

  const route = (
    req: FakeRequest,
    allow: (permission: string) => void,
  ): FakeAnswer | undefined => {
    const prefix = '/api/drills';
    if (!req.path.startsWith(`${prefix}/`)) return undefined;
    const path = req.path.slice(prefix.length);
    const on = (method: string, pattern: RegExp) =>
      req.method === method ? pattern.exec(path) : null;

    const runbookMatch = on('GET', /^\/runbooks\/([^/]+)$/);
    if (runbookMatch) {
      allow('drills.run.read');
      const id = segment(runbookMatch[1], 'id');
      const found = runbook(id);
      if (!found) throw notFound(`No runbook ${id}`);
      return {
        status: 200,
        body: {
          ...found,
          kind: 'scenario',
          services: [],
          owner: 'group:default/drill-leads',
          roles: [],
          phases: [],
          markdown: '',
          markdownLine: 1,
          file: `${id}.md`,
        },
      };
    }

    if (req.method === 'POST' && path === '/runs') {
      allow('drills.run.lead');
      const body = req.body ?? {};
      const extra = Object.keys(body).filter(
        k => !['scenarioId', 'calendarMonth', 'participants'].includes(k),
      );
      const problems = extra.length
        ? [
            `Unrecognized key(s) in object: ${extra
              .map(k => `'${k}'`)
              .join(', ')}`,
          ]
        : [];
      if (
        typeof body.scenarioId !== 'string' ||
        !SEGMENT.test(body.scenarioId)
      ) {
        problems.push('scenarioId: not an id');
      }
      (body.participants ?? []).forEach((p: any, i: number) => {
        if (!ROLES.includes(p?.role))
          problems.push(`participants.${i}.role: Invalid enum value`);
      });
      if (problems.length)
        throw inputError(`Invalid input: ${problems.join('; ')}`);
      const found = runbook(body.scenarioId);
      if (!found) throw inputError(`No runbook ${body.scenarioId} to drill`);
      const participants = [{ entityRef: req.caller, role: 'lead' }];
      for (const p of body.participants ?? []) {
        if (p.entityRef === req.caller) continue;
        if (p.role === 'lead') {
          throw inputError(
            `A run has one lead (${req.caller}); ${p.entityRef} cannot be lead too`,
          );
        }
        participants.push(p);
      }
      const run: FakeRun = {
        id: randomUUID(),
        scenarioId: found.id,
        title: found.title,
        calendarMonth: body.calendarMonth ?? null,
        state: 'running',
        startedAt: clock.now.toISOString(),
        participants,
        checkpoints: found.checkpoints.map((c, position) => ({
          ...c,
          position,
          reachedAt: null,
          reachedBy: null,
          elapsedMinutes: null,
          passed: false,
        })),
      };
      runs.set(run.id, run);
      return { status: 201, body: run };
    }

    const runMatch = on('GET', /^\/runs\/([^/]+)$/);
    if (runMatch) {
      allow('drills.run.read');
      return { status: 200, body: getRun(segment(runMatch[1], 'id')) };
    }

    const checkpointMatch = on(
      'POST',
      /^\/runs\/([^/]+)\/checkpoints\/([^/]+)$/,
    );
    if (checkpointMatch) {
      allow('drills.run.participate');
      const id = segment(checkpointMatch[1], 'id');
      const checkpointId = segment(checkpointMatch[2], 'stepId');
      const keys = Object.keys(req.body ?? {});
      if (keys.length) {
        throw inputError(
          `Invalid input: Unrecognized key(s) in object: ${keys
            .map(k => `'${k}'`)
            .join(', ')}`,
        );
      }
      const run = getRun(id);
      if (!run.participants.some(p => p.entityRef === req.caller)) {
        throw new FakeHttpError(
          403,
          'NotAllowedError',
          `${req.caller} takes no part in run ${id}`,
        );
      }
      if (run.state !== 'running')
        throw conflict(`Run ${id} is ${run.state}: it can no longer change`);
      const checkpoint = run.checkpoints.find(c => c.id === checkpointId);
      if (!checkpoint)
        throw notFound(`Run ${id} has no checkpoint ${checkpointId}`);
      if (checkpoint.reachedAt) {
        throw conflict(
          `Checkpoint ${checkpointId} of run ${id} was reached already, at ${checkpoint.reachedAt} by ${checkpoint.reachedBy}`,
        );
      }
      const elapsedMs = clock.now.getTime() - Date.parse(run.startedAt);
      const reached: DrillCheckpoint = {
        ...checkpoint,
        reachedAt: clock.now.toISOString(),
        reachedBy: req.caller,
        elapsedMinutes: Math.round((elapsedMs / 60_000) * 100) / 100,
        passed: elapsedMs <= checkpoint.targetMinutes * 60_000,
      };
      Object.assign(checkpoint, reached);
      return { status: 200, body: reached };
    }
    return undefined;
  };

  const server = await startFakePluginServer({
    route,
    isAllowed: options.isAllowed,
  });
  return { ...server, runs, clock };
}
