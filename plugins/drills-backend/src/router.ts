import { InputError, NotFoundError } from '@backstage/errors';
import {
  drillsLeadPermission,
  drillsParticipatePermission,
  drillsReadPermission,
} from '@internal/plugin-drills-common';
import {
  BlobStore,
  PermissionMiddleware,
  parseInput,
  readUpload,
} from '@internal/plugin-ops-node';
import express from 'express';
import Router from 'express-promise-router';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import {
  CalendarOverride as CalendarLogEntry,
  CalendarSettings,
  calendarIcs,
  drillCalendar,
  signFeedToken,
  validateOverride,
  verifyFeedToken,
} from './calendar';
import { renderReportHtml } from './report';
import { Runbook, RunbookProblem, scenarioSnapshot } from './runbooks';
import {
  CalendarOverride,
  RunService,
  StepVersionConflictError,
  abortBodySchema,
  actionItemBodySchema,
  monthSchema,
  noteBodySchema,
  participantSchema,
  runListQuerySchema,
  setStepBodySchema,
  toContractItem,
} from './runs';

export interface DrillsRouterOptions {
  allow: PermissionMiddleware;
  runs: RunService;
  runbooks: () => Promise<{ runbooks: Runbook[]; problems: RunbookProblem[] }>;
  calendar: CalendarSettings;
  /** Where a run's report is read, for the evidence plugin's link. */
  reportUrl: (runId: string) => string;
  /** Step attachments are kept here. */
  blobs: BlobStore;
  /** Largest attachment accepted, in bytes. */
  maxAttachmentBytes: number;
  /** Tells everyone looking at a run that it changed (signals); never throws. */
  publish: (runId: string, change: string, by: string) => void;
  /**
   * The secret calendar feed tokens are signed with, and the URL of the
   * feed; without it there is no subscription link (the authenticated
   * `/calendar.ics` still works).
   */
  feed?: { secret: string; url: string };
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

const segment = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'not an id');
const idParams = z.object({ id: segment });
const stepParams = z.object({ id: segment, stepId: segment });
const calendarQuery = z
  .object({ months: z.coerce.number().int().min(1).max(36).default(12) })
  .strict();
const startBodySchema = z
  .object({
    scenarioId: segment,
    calendarMonth: monthSchema.optional(),
    participants: z.array(participantSchema).max(100).optional(),
  })
  .strict();
const emptyBody = z.object({}).strict();

const ATTACHMENT_MEDIA_TYPES = [
  'text/plain',
  'text/markdown',
  'text/csv',
  'application/json',
  'application/pdf',
  'image/png',
  'image/jpeg',
  'application/octet-stream',
];

/**
 * The drills plugin's routes: runbooks, the calendar (and its iCalendar
 * feeds), runs and everything done in them, reports and history. Each
 * route parses, checks a permission and makes one service call; the
 * service checks that the caller takes part in the run, or leads it.
 */
export function createRouter(options: DrillsRouterOptions): express.Router {
  const { allow, runs, publish } = options;
  const router = Router();
  router.use(express.json({ limit: '64kb' }));
  const now = () => options.clock?.() ?? new Date();

  const calendarEntries = async (months: number) =>
    drillCalendar({
      from: now(),
      months,
      settings: options.calendar,
      overrides: (await runs.listOverrides()).map(toCalendarLog),
    });
  const sendIcs = async (res: express.Response) => {
    res
      .type('text/calendar; charset=utf-8')
      .send(calendarIcs(await calendarEntries(12), { name: 'DR drills' }));
  };
  const findRunbook = async (id: string) => {
    const { runbooks } = await options.runbooks();
    const runbook = runbooks.find(r => r.id === id);
    if (!runbook) throw new NotFoundError(`No runbook ${id}`);
    return runbook;
  };

  // --- runbooks --------------------------------------------------------------

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
    res.json(await findRunbook(parseInput(idParams, req.params).id));
  });

  // --- calendar ----------------------------------------------------------------

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
      await sendIcs(res);
    },
  );

  // Calendar apps send no Backstage token: this one route is open to a
  // request carrying a personal feed token (see plugin.ts's auth policy).
  router.get('/calendar/feed.ics', async (req, res) => {
    const { token } = parseInput(
      z.object({ token: z.string().min(1).max(1000) }).strict(),
      req.query,
    );
    if (!options.feed || !verifyFeedToken(options.feed.secret, token)) {
      throw new NotFoundError('No such calendar feed');
    }
    await sendIcs(res);
  });

  router.get(
    '/calendar/subscription',
    allow(drillsReadPermission, { usersOnly: true }),
    async (_req, res) => {
      if (!options.feed) {
        throw new NotFoundError(
          'Calendar subscriptions are off: drills.calendarFeed.secret is not set',
        );
      }
      const token = signFeedToken(options.feed.secret, res.locals.caller);
      res.json({
        url: `${options.feed.url}?token=${encodeURIComponent(token)}`,
      });
    },
  );

  router.get(
    '/calendar/overrides',
    allow(drillsReadPermission),
    async (_req, res) => {
      res.json({ items: await runs.listOverrides() });
    },
  );

  router.post(
    '/calendar/overrides',
    allow(drillsLeadPermission, { usersOnly: true }),
    async (req, res) => {
      const { runbooks } = await options.runbooks();
      const existing = await runs.listOverrides();
      const checked = validateOverride(
        { ...(req.body ?? {}), by: res.locals.caller, at: now().toISOString() },
        {
          settings: options.calendar,
          existing: existing.map(toCalendarLog),
          knownScenarioIds: new Set(
            runbooks.filter(r => r.kind === 'scenario').map(r => r.id),
          ),
          now: now(),
        },
      );
      if (!checked.ok) throw new InputError(checked.errors.join('; '));
      res
        .status(201)
        .json(await runs.recordOverride(req.body, res.locals.caller));
    },
  );

  // --- runs ----------------------------------------------------------------------

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

  router.post(
    '/runs',
    allow(drillsLeadPermission, { usersOnly: true }),
    async (req, res) => {
      const body = parseInput(startBodySchema, req.body ?? {});
      const runbook = await findRunbook(body.scenarioId).catch(() => {
        throw new InputError(`No runbook ${body.scenarioId} to drill`);
      });
      if (body.calendarMonth) {
        const entry = (await calendarEntries(24)).find(
          e => e.month === body.calendarMonth,
        );
        if (!entry || entry.status === 'skipped') {
          throw new InputError(
            `${body.calendarMonth} has no drill on the calendar`,
          );
        }
        if (entry.scenarioId !== body.scenarioId) {
          throw new InputError(
            `${body.calendarMonth} drills ${entry.scenarioId}, not ${body.scenarioId}`,
          );
        }
      }
      const run = await runs.start({
        scenario: scenarioSnapshot(runbook),
        lead: res.locals.caller,
        participants: body.participants,
        calendarMonth: body.calendarMonth ?? null,
        startedBy: res.locals.caller,
      });
      res.status(201).json(run);
    },
  );

  router.get('/runs/:id', allow(drillsReadPermission), async (req, res) => {
    res.json(await runs.get(parseInput(idParams, req.params).id));
  });

  router.put(
    '/runs/:id/steps/:stepId',
    allow(drillsParticipatePermission, { usersOnly: true }),
    async (req, res) => {
      const { id, stepId } = parseInput(stepParams, req.params);
      const body = parseInput(setStepBodySchema, req.body ?? {});
      try {
        const step = await runs.setStep(id, stepId, body, res.locals.caller);
        publish(id, 'step', res.locals.caller);
        res.json(step);
      } catch (error) {
        if (!(error instanceof StepVersionConflictError)) throw error;
        // The step as it is now, so the caller can show it and try again.
        res.status(409).json({
          error: { name: error.name, message: error.message },
          current: error.current,
        });
      }
    },
  );

  router.post(
    '/runs/:id/checkpoints/:stepId',
    allow(drillsParticipatePermission, { usersOnly: true }),
    async (req, res) => {
      const { id, stepId } = parseInput(stepParams, req.params);
      parseInput(emptyBody, req.body ?? {});
      const checkpoint = await runs.reachCheckpoint(
        id,
        stepId,
        res.locals.caller,
      );
      publish(id, 'checkpoint', res.locals.caller);
      res.json(checkpoint);
    },
  );

  router.post(
    '/runs/:id/steps/:stepId/notes',
    allow(drillsParticipatePermission, { usersOnly: true }),
    async (req, res) => {
      const { id, stepId } = parseInput(stepParams, req.params);
      const { text } = parseInput(noteBodySchema, req.body ?? {});
      const note = await runs.addNote(id, stepId, text, res.locals.caller);
      publish(id, 'note', res.locals.caller);
      res.status(201).json(note);
    },
  );

  router.post(
    '/runs/:id/steps/:stepId/attachments',
    allow(drillsParticipatePermission, { usersOnly: true }),
    async (req, res) => {
      const { id, stepId } = parseInput(stepParams, req.params);
      // Refused before a byte is read when the run cannot take it.
      await runs.checkCanChange(id, stepId, res.locals.caller);
      const upload = await readUpload(req, {
        maxBytes: options.maxAttachmentBytes,
        mediaTypes: ATTACHMENT_MEDIA_TYPES,
        metadata: 'none',
      });
      try {
        const stored = await options.blobs.putContentAddressed(
          upload.file.open(),
        );
        const attachment = await runs.addAttachment(
          id,
          stepId,
          {
            blobKey: stored.key,
            fileName: upload.fileName,
            mediaType: upload.mediaType,
            sizeBytes: stored.sizeBytes,
            sha256: stored.sha256,
          },
          res.locals.caller,
        );
        publish(id, 'attachment', res.locals.caller);
        res.status(201).json(attachment);
      } finally {
        await upload.file.remove();
      }
    },
  );

  router.get(
    '/runs/:id/attachments/:stepId/content',
    allow(drillsReadPermission),
    async (req, res) => {
      const { id, stepId: attachmentId } = parseInput(stepParams, req.params);
      const attachment = await runs.getAttachment(id, attachmentId);
      const content = await options.blobs.get(attachment.blobKey);
      res.setHeader('Content-Type', attachment.mediaType);
      res.setHeader('Content-Length', String(attachment.sizeBytes));
      res.setHeader(
        'Content-Disposition',
        `attachment; filename*=UTF-8''${encodeURIComponent(
          attachment.fileName,
        )}`,
      );
      res.setHeader('X-Content-Type-Options', 'nosniff');
      await pipeline(content, res);
    },
  );

  router.post(
    '/runs/:id/action-items',
    allow(drillsParticipatePermission, { usersOnly: true }),
    async (req, res) => {
      const { id } = parseInput(idParams, req.params);
      const body = parseInput(actionItemBodySchema, req.body ?? {});
      const item = await runs.addActionItem(id, body, res.locals.caller);
      publish(id, 'action-item', res.locals.caller);
      res.status(201).json(item);
    },
  );

  router.post(
    '/runs/:id/participants',
    allow(drillsParticipatePermission, { usersOnly: true }),
    async (req, res) => {
      const { id } = parseInput(idParams, req.params);
      const body = parseInput(participantSchema.strict(), req.body ?? {});
      const participant = await runs.addParticipant(
        id,
        body,
        res.locals.caller,
      );
      publish(id, 'participant', res.locals.caller);
      res.status(201).json(participant);
    },
  );

  router.post(
    '/runs/:id/finish',
    allow(drillsLeadPermission, { usersOnly: true }),
    async (req, res) => {
      const { id } = parseInput(idParams, req.params);
      parseInput(emptyBody, req.body ?? {});
      await runs.finish(id, res.locals.caller);
      publish(id, 'finished', res.locals.caller);
      res.json(await runs.get(id));
    },
  );

  router.post(
    '/runs/:id/abort',
    allow(drillsLeadPermission, { usersOnly: true }),
    async (req, res) => {
      const { id } = parseInput(idParams, req.params);
      const { reason } = parseInput(abortBodySchema, req.body ?? {});
      const run = await runs.abort(id, reason, res.locals.caller);
      publish(id, 'aborted', res.locals.caller);
      res.json(run);
    },
  );

  const reportOf = async (id: string) => {
    const run = await runs.get(id);
    if (run.reportMarkdown === null) {
      throw new NotFoundError(
        `Run ${id} has no report: a report is written when the run finishes`,
      );
    }
    return { run, markdown: run.reportMarkdown };
  };

  router.get(
    '/runs/:id/report.md',
    allow(drillsReadPermission),
    async (req, res) => {
      const { id } = parseInput(idParams, req.params);
      const { markdown } = await reportOf(id);
      res
        .type('text/markdown; charset=utf-8')
        .setHeader(
          'Content-Disposition',
          `inline; filename="drill-report-${id}.md"`,
        )
        .send(markdown);
    },
  );

  router.get(
    '/runs/:id/report.html',
    allow(drillsReadPermission),
    async (req, res) => {
      const { id } = parseInput(idParams, req.params);
      const { run, markdown } = await reportOf(id);
      res
        .type('text/html; charset=utf-8')
        // A document to read, never to run: no scripts, no outside loads.
        .setHeader(
          'Content-Security-Policy',
          "default-src 'none'; style-src 'unsafe-inline'; sandbox",
        )
        .setHeader('X-Content-Type-Options', 'nosniff')
        .send(renderReportHtml(markdown, `Drill report: ${run.title}`));
    },
  );

  router.post(
    '/runs/:id/presence',
    allow(drillsReadPermission, { usersOnly: true }),
    async (req, res) => {
      const { id } = parseInput(idParams, req.params);
      parseInput(emptyBody, req.body ?? {});
      const { viewers, arrived } = await runs.heartbeat(id, res.locals.caller);
      if (arrived) publish(id, 'presence', res.locals.caller);
      res.json({ viewers });
    },
  );

  // The caller closed the run: only ever their own presence goes.
  router.delete(
    '/runs/:id/presence',
    allow(drillsReadPermission, { usersOnly: true }),
    async (req, res) => {
      const { id } = parseInput(idParams, req.params);
      parseInput(emptyBody, req.query);
      parseInput(emptyBody, req.body ?? {});
      const { left } = await runs.leave(id, res.locals.caller);
      if (left) publish(id, 'presence', res.locals.caller);
      res.status(204).end();
    },
  );

  router.get('/history', allow(drillsReadPermission), async (req, res) => {
    const { scenarioId } = parseInput(
      z.object({ scenarioId: segment.optional() }).strict(),
      req.query,
    );
    res.json(await runs.history(scenarioId));
  });

  return router;
}
