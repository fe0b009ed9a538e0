import { NotFoundError } from '@backstage/errors';
import { drillsReadPermission } from '@internal/plugin-drills-common';
import { PermissionMiddleware, parseInput } from '@internal/plugin-ops-node';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import {
  CalendarOverride as CalendarLogEntry,
  CalendarSettings,
  calendarIcs,
  drillCalendar,
} from './calendar';
import type { Runbook, RunbookProblem } from './runbooks';
import {
  CalendarOverride,
  RunService,
  runListQuerySchema,
  toContractItem,
} from './runs';

export interface DrillsRouterOptions {
  allow: PermissionMiddleware;
  runs: RunService;
  runbooks: () => Promise<{ runbooks: Runbook[]; problems: RunbookProblem[] }>;
  calendar: CalendarSettings;
  /** Where a run's report is read, for the evidence plugin's link. */
  reportUrl: (runId: string) => string;
  clock?: () => Date;
}

/** A stored override as the calendar module applies it. */
function toCalendarLog(override: CalendarOverride): CalendarLogEntry {
  const base = {
    month: override.month,
    reason: override.reason,
    by: override.recordedBy,
    at: override.recordedAt,
  };
  if (override.kind === 'swap') {
    return { ...base, kind: 'swap', scenarioId: override.scenarioId ?? '' };
  }
  if (override.kind === 'reschedule') {
    return { ...base, kind: 'reschedule', date: override.date ?? '' };
  }
  return { ...base, kind: 'skip' };
}

const idParams = z.object({ id: z.string().min(1).max(255) });
const calendarQuery = z
  .object({ months: z.coerce.number().int().min(1).max(36).default(12) })
  .strict();

/**
 * The drills plugin's read routes: runbooks, the calendar (and its iCalendar
 * feed), runs and history. Starting and checking off runs are to come.
 */
export function createRouter(options: DrillsRouterOptions): express.Router {
  const { allow, runs } = options;
  const router = Router();
  const now = () => options.clock?.() ?? new Date();

  const calendarEntries = async (months: number) =>
    drillCalendar({
      from: now(),
      months,
      settings: options.calendar,
      overrides: (await runs.listOverrides()).map(toCalendarLog),
    });

  router.get('/runbooks', allow(drillsReadPermission), async (_req, res) => {
    const { runbooks, problems } = await options.runbooks();
    res.json({
      runbooks: runbooks.map(({ markdown: _markdown, phases, ...summary }) => ({
        ...summary,
        stepCount: phases.reduce((sum, p) => sum + p.steps.length, 0),
      })),
      problems,
    });
  });

  router.get('/runbooks/:id', allow(drillsReadPermission), async (req, res) => {
    const { id } = parseInput(idParams, req.params);
    const { runbooks } = await options.runbooks();
    const runbook = runbooks.find(r => r.id === id);
    if (!runbook) throw new NotFoundError(`No runbook ${id}`);
    res.json(runbook);
  });

  router.get('/calendar', allow(drillsReadPermission), async (req, res) => {
    const { months } = parseInput(calendarQuery, req.query);
    res.json({
      timezone: options.calendar.timezone,
      entries: await calendarEntries(months),
    });
  });

  router.get(
    '/calendar.ics',
    allow(drillsReadPermission),
    async (_req, res) => {
      res
        .type('text/calendar; charset=utf-8')
        .send(calendarIcs(await calendarEntries(12), { name: 'DR drills' }));
    },
  );

  router.get('/runs', allow(drillsReadPermission), async (req, res) => {
    const { limit, offset, ...filter } = parseInput(
      runListQuerySchema.strict(),
      req.query,
    );
    const page = await runs.list(filter, { limit, offset });
    res.json({
      ...page,
      // Finished runs carry the fields the evidence plugin files.
      items: page.items.map(item =>
        item.state === 'finished'
          ? { ...item, ...toContractItem(item, options.reportUrl(item.id)) }
          : item,
      ),
    });
  });

  router.get('/runs/:id', allow(drillsReadPermission), async (req, res) => {
    const { id } = parseInput(idParams, req.params);
    res.json(await runs.get(id));
  });

  router.get('/history', allow(drillsReadPermission), async (req, res) => {
    const { scenarioId } = parseInput(
      z.object({ scenarioId: z.string().min(1).max(255).optional() }).strict(),
      req.query,
    );
    res.json(await runs.history(scenarioId));
  });

  return router;
}
