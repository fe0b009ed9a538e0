import {
  parseInput,
  pageQuerySchema,
  type PermissionMiddleware,
} from '@internal/plugin-ops-node';
import {
  SECURITY_ALERT_STATUSES,
  SECURITY_SEVERITIES,
  securityAlertManagePermission,
  securityAlertReadPermission,
} from '@internal/plugin-security-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import type { AlertStore } from './alerts';
import type { PipelineStatus } from './stream';

const listQuerySchema = pageQuerySchema
  .extend({
    status: z.enum(SECURITY_ALERT_STATUSES).optional(),
    severity: z.enum(SECURITY_SEVERITIES).optional(),
    ruleId: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9-]{0,99}$/,
        'must be a rule id such as brute-force',
      )
      .optional(),
  })
  .strict();

const idSchema = z.string().uuid('must be an alert id (a UUID)');

const statusChangeSchema = z
  .object({
    status: z.enum(SECURITY_ALERT_STATUSES),
    note: z.string().trim().min(1, 'is required').max(1000),
  })
  .strict();

const summaryQuerySchema = z
  .object({ days: z.coerce.number().int().min(1).max(366).default(30) })
  .strict();

export interface RouterOptions {
  allow: PermissionMiddleware;
  alerts: Pick<AlertStore, 'list' | 'get' | 'changeStatus' | 'summaryByDay'>;
  pipeline: Pick<PipelineStatus, 'stats' | 'rules'>;
}

/** The security plugin's HTTP API (see @internal/plugin-security-common api.ts). */
export function createRouter(options: RouterOptions): express.Router {
  const { allow, alerts, pipeline } = options;
  const router = Router();
  router.use(express.json({ limit: '16kb' }));
  const read = allow(securityAlertReadPermission);

  router.get('/alerts', read, async (req, res) => {
    const { limit, offset, ...filters } = parseInput(
      listQuerySchema,
      req.query,
    );
    res.json(await alerts.list(filters, { limit, offset }));
  });

  router.get('/alerts/:id', read, async (req, res) => {
    res.json(await alerts.get(parseInput(idSchema, req.params.id)));
  });

  router.post(
    '/alerts/:id/status',
    allow(securityAlertManagePermission, { usersOnly: true }),
    async (req, res) => {
      const id = parseInput(idSchema, req.params.id);
      const change = parseInput(statusChangeSchema, req.body);
      res.json(await alerts.changeStatus(id, change, res.locals.caller));
    },
  );

  router.get('/summary', read, async (req, res) => {
    const { days } = parseInput(summaryQuerySchema, req.query);
    res.json(await alerts.summaryByDay(days));
  });

  router.get('/rules', read, async (_req, res) => {
    res.json({ rules: pipeline.rules() });
  });

  router.get('/pipeline', read, async (_req, res) => {
    res.json(await pipeline.stats());
  });

  return router;
}
