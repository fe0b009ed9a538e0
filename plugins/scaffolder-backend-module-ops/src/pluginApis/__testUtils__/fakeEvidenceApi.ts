import { randomUUID } from 'node:crypto';
import type { Binder, CollectorRun } from '../evidenceClient';
import {
  FakeAnswer,
  FakeRequest,
  inputError,
  notFound,
  startFakePluginServer,
} from './fakePluginServer';

/** A collector of the fake, and how its runs end. */
export interface FakeCollector {
  id: string;
  title: string;
  points: string[];
  perEntity: boolean;
  /** How a run ends; default: succeeds filing one item. */
  outcome?:
    | { state: 'succeeded'; items: number }
    | { state: 'failed'; error: string };
  /** How many reads of `GET /runs/:id` still see it running (default 1). */
  runningReads?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The evidence plugin's routes the actions call, under `/api/evidence`, with
 * its status codes, bodies and messages (plugins/evidence-backend/src/router.ts):
 * `GET /collectors`, `POST /collectors/:id/runs` (202), `GET /runs/:id`,
 * `POST /binders` (202), `GET /binders/:id`. Runs and binders move on by
 * reads, not by time: a run is `running` for `runningReads` reads, a
 * binder `queued`, then `building` for `binderReads` reads.
 */
export async function startFakeEvidenceApi(options: {
  collectors: FakeCollector[];
  knownPoints?: string[];
  /** Reads of `GET /binders/:id` that see a binder not yet built (default 2). */
  binderReads?: number;
  /** Makes the next binder fail with this error. */
  binderError?: string;
  isAllowed?: (permission: string, caller: string) => boolean;
}) {
  const knownPoints = new Set(options.knownPoints ?? ['CC6.1', 'CC8.1']);
  const runs = new Map<
    string,
    {
      run: CollectorRun;
      reads: number;
      collector: FakeCollector;
      items: string[];
    }
  >();
  const binders = new Map<string, { binder: Binder; reads: number }>();

  const route = (
    req: FakeRequest,
    allow: (permission: string) => void,
  ): FakeAnswer | undefined => {
    const prefix = '/api/evidence';
    if (!req.path.startsWith(`${prefix}/`)) return undefined;
    const path = req.path.slice(prefix.length);
    const on = (method: string, pattern: RegExp) =>
      req.method === method ? pattern.exec(path) : null;

    if (req.method === 'GET' && path === '/collectors') {
      allow('evidence.item.read');
      return {
        status: 200,
        body: options.collectors.map(c => ({
          id: c.id,
          title: c.title,
          description: `${c.title} (fake)`,
          points: c.points,
          cadence: 'quarterly',
          perEntity: c.perEntity,
          lastRun: null,
        })),
      };
    }

    const startMatch = on('POST', /^\/collectors\/([^/]+)\/runs$/);
    if (startMatch) {
      allow('evidence.collector.run');
      const id = decodeURIComponent(startMatch[1]);
      if (!/^[\w.-]{1,100}$/.test(id)) {
        throw inputError('Invalid input: id: not a collector id');
      }
      const body = req.body ?? {};
      const extra = Object.keys(body).filter(k => k !== 'entityRef');
      if (extra.length) {
        throw inputError(
          `Invalid input: Unrecognized key(s) in object: ${extra
            .map(k => `'${k}'`)
            .join(', ')}`,
        );
      }
      const collector = options.collectors.find(c => c.id === id);
      if (!collector) throw notFound(`No evidence collector ${id}`);
      if (body.entityRef && !collector.perEntity) {
        throw inputError(
          `Collector ${id} collects for the whole portal, not for one entity`,
        );
      }
      const run: CollectorRun = {
        id: randomUUID(),
        collector: id,
        entityRef: body.entityRef ?? null,
        state: 'running',
        startedAt: new Date().toISOString(),
        finishedAt: null,
        itemCount: 0,
        error: null,
      };
      runs.set(run.id, { run, reads: 0, collector, items: [] });
      return {
        status: 202,
        body: { ...run, trigger: 'api', requestedBy: req.caller },
      };
    }

    const runMatch = on('GET', /^\/runs\/([^/]+)$/);
    if (runMatch) {
      allow('evidence.item.read');
      const id = decodeURIComponent(runMatch[1]);
      if (!UUID.test(id)) throw inputError('Invalid input: id: not an id');
      const entry = runs.get(id);
      if (!entry) throw notFound(`No collector run ${id}`);
      entry.reads += 1;
      if (
        entry.run.state === 'running' &&
        entry.reads > (entry.collector.runningReads ?? 1)
      ) {
        const outcome = entry.collector.outcome ?? {
          state: 'succeeded',
          items: 1,
        };
        entry.run.finishedAt = new Date().toISOString();
        if (outcome.state === 'failed') {
          entry.run.state = 'failed';
          entry.run.error = outcome.error;
        } else {
          entry.run.state = 'succeeded';
          entry.items = Array.from({ length: outcome.items }, () =>
            randomUUID(),
          );
          entry.run.itemCount = outcome.items;
        }
      }
      return {
        status: 200,
        body: {
          ...entry.run,
          log: '',
          items: entry.items.map(itemId => ({
            id: itemId,
            type: entry.collector.id,
            title: `${entry.collector.title} evidence`,
            runId: entry.run.id,
          })),
        },
      };
    }

    if (req.method === 'POST' && path === '/binders') {
      allow('evidence.binder.create');
      const body = req.body ?? {};
      const iso =
        /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
      const problems: string[] = [];
      for (const key of ['periodStart', 'periodEnd']) {
        if (typeof body[key] !== 'string' || !iso.test(body[key])) {
          problems.push(`${key}: Invalid datetime`);
        }
      }
      (body.points ?? []).forEach((p: string, i: number) => {
        if (!knownPoints.has(p))
          problems.push(`points.${i}: unknown point ${p}`);
      });
      if (
        !problems.length &&
        Date.parse(body.periodStart) >= Date.parse(body.periodEnd)
      ) {
        problems.push('periodEnd: the period ends before it starts');
      }
      if (problems.length)
        throw inputError(`Invalid input: ${problems.join('; ')}`);
      const binder: Binder = {
        id: randomUUID(),
        periodStart: new Date(body.periodStart).toISOString(),
        periodEnd: new Date(body.periodEnd).toISOString(),
        points: body.points ?? [...knownPoints],
        state: 'queued',
        progress: { files: 0, totalFiles: 3, bytes: 0, totalBytes: 300 },
        sha256: null,
        sizeBytes: null,
        finishedAt: null,
        error: null,
      };
      binders.set(binder.id, { binder, reads: 0 });
      return {
        status: 202,
        body: { ...binder, createdBy: req.caller, createdAt: binder.periodEnd },
      };
    }

    const binderMatch = on('GET', /^\/binders\/([^/]+)$/);
    if (binderMatch) {
      allow('evidence.item.read');
      const id = decodeURIComponent(binderMatch[1]);
      if (!UUID.test(id)) throw inputError('Invalid input: id: not an id');
      const entry = binders.get(id);
      if (!entry) throw notFound(`No binder ${id}`);
      entry.reads += 1;
      const b = entry.binder;
      if (b.state === 'queued' || b.state === 'building') {
        if (entry.reads > (options.binderReads ?? 2)) {
          b.finishedAt = new Date().toISOString();
          if (options.binderError) {
            b.state = 'failed';
            b.error = options.binderError;
          } else {
            b.state = 'ready';
            b.progress = { ...b.progress, files: 3, bytes: 300 };
            b.sha256 = 'a'.repeat(64);
            b.sizeBytes = 300;
          }
        } else {
          b.state = 'building';
          b.progress = { ...b.progress, files: entry.reads };
        }
      }
      return {
        status: 200,
        body: { ...b, createdBy: 'x', createdAt: b.periodEnd },
      };
    }
    return undefined;
  };

  const server = await startFakePluginServer({
    route,
    isAllowed: options.isAllowed,
  });
  return { ...server, runs, binders };
}
