import {
  PermissionMiddleware,
  pageQuerySchema,
  parseInput,
} from '@internal/plugin-ops-node';
import type { HttpAuthService } from '@backstage/backend-plugin-api';
import {
  SLO_OBJECTIVE_STATES,
  externalAlertSchema,
  isoDateTimeSchema,
  sloManagePermission,
  sloReadPermission,
  sloSamplesPushPermission,
} from '@internal/plugin-slo-common';
import { InputError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import type { AlertService } from './alerts/AlertService';
import type { ExternalAlertService } from './external';
import type { ObjectiveService } from './objectives/ObjectiveService';
import type { SampleService } from './samples/SampleService';
import { parseSampleBatch, parseSampleRange } from './samples/validate';

const listQuerySchema = pageQuerySchema
  .extend({
    entityRef: z.string().min(1).max(255).optional(),
    owner: z.string().min(1).max(255).optional(),
    system: z.string().min(1).max(255).optional(),
    state: z.enum(SLO_OBJECTIVE_STATES).optional(),
    q: z.string().min(1).max(100).optional(),
    sort: z.enum(['name', 'budget', 'burn', 'state']).default('name'),
    order: z.enum(['asc', 'desc']).default('asc'),
  })
  .strict();

/** `:ref`, already URL-decoded by express: the objective's id. */
const refParams = z.object({
  ref: z
    .string()
    .min(1)
    .max(255)
    // PostgreSQL refuses NUL in text; no id has control characters.
    .refine(
      ref => ![...ref].some(c => c.charCodeAt(0) < 0x20 || c === '\x7f'),
      'must not contain control characters',
    ),
});
const refOf = (params: unknown) => parseInput(refParams, params).ref;

const isoTime = isoDateTimeSchema.transform(s => new Date(s));

const statusQuerySchema = z.object({ at: isoTime.optional() }).strict();

const seriesQuerySchema = z
  .object({
    from: isoTime.optional(),
    to: isoTime.optional(),
    step: z.coerce
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .optional(),
  })
  .strict();

const rulesQuerySchema = z
  .object({ format: z.enum(['rules', 'prometheusrule']).default('rules') })
  .strict();

const alertListSchema = pageQuerySchema
  .extend({
    objectiveRef: z.string().min(1).max(255).optional(),
    state: z.enum(['firing', 'resolved']).optional(),
  })
  .strict();

const alertParams = z.object({ id: z.string().uuid() });
const reasonSchema = z.string().trim().min(1).max(1000);
const acknowledgeSchema = z.object({ reason: reasonSchema }).strict();
const silenceSchema = z
  .object({ reason: reasonSchema, until: isoTime })
  .strict();

/** The services the SLO routes call: one call per route. */
export interface RouterOptions {
  objectives: ObjectiveService;
  samples: Pick<SampleService, 'push' | 'read'>;
  alerts: Pick<AlertService, 'list' | 'acknowledge' | 'silence'>;
  allow: PermissionMiddleware;
  /** `POST /external-alerts`: alerts of other backend plugins, from their service tokens. */
  external?: {
    httpAuth: Pick<HttpAuthService, 'credentials'>;
    alerts: Pick<ExternalAlertService, 'sourceOf' | 'receive'>;
  };
  /** Extra read routes (rules, demo sink) mounted by the plugin. */
  extend?: (router: express.Router) => void;
  /** The clock pushed minutes and silences are checked against; tests pass their own. */
  now?: () => Date;
}

/**
 * The SLO API under /api/slo: each handler parses its input, checks one
 * permission (`allow`) and makes one service call.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { objectives, samples, alerts, allow } = options;
  const now = options.now ?? (() => new Date());
  const router = Router();
  // A week of samples is some 600 kB of JSON.
  router.use(express.json({ limit: '2mb' }));

  router.get('/objectives', allow(sloReadPermission), async (req, res) => {
    const { limit, offset, sort, order, ...filter } = parseInput(
      listQuerySchema,
      req.query,
    );
    res.json(
      await objectives.list(
        filter as Parameters<ObjectiveService['list']>[0],
        { limit, offset },
        { by: sort, order },
      ),
    );
  });

  router.get('/problems', allow(sloReadPermission), async (req, res) => {
    res.json(
      await objectives.problems(
        parseInput(pageQuerySchema.strict(), req.query),
      ),
    );
  });

  router.get('/objectives/:ref', allow(sloReadPermission), async (req, res) => {
    res.json(await objectives.get(refOf(req.params)));
  });

  router.get(
    '/objectives/:ref/status',
    allow(sloReadPermission),
    async (req, res) => {
      const ref = refOf(req.params);
      const { at } = parseInput(statusQuerySchema, req.query);
      res.json(await objectives.status(ref, at));
    },
  );

  router.get(
    '/objectives/:ref/series',
    allow(sloReadPermission),
    async (req, res) => {
      const ref = refOf(req.params);
      const { from, to, step } = parseInput(seriesQuerySchema, req.query);
      res.json(await objectives.series(ref, { from, to, stepMinutes: step }));
    },
  );

  router.get(
    '/objectives/:ref/rules',
    allow(sloReadPermission),
    async (req, res) => {
      const ref = refOf(req.params);
      const { format } = parseInput(rulesQuerySchema, req.query);
      // Awaited first: an error goes out as JSON, not labelled YAML.
      const text = await objectives.rules(ref, format);
      res.type('text/yaml').send(text);
    },
  );

  router.get(
    '/objectives/:ref/source',
    allow(sloReadPermission),
    async (req, res) => {
      const ref = refOf(req.params);
      const text = await objectives.source(ref);
      res.type('text/yaml').send(text);
    },
  );

  // Other backends push too (Backstage allows their service principals),
  // so the push is not for users only.
  router.post(
    '/objectives/:ref/samples',
    allow(sloSamplesPushPermission),
    async (req, res) => {
      const ref = refOf(req.params);
      const minutes = parseSampleBatch(req.body, now());
      res.json(await samples.push(ref, minutes));
    },
  );

  router.get(
    '/objectives/:ref/samples',
    allow(sloReadPermission),
    async (req, res) => {
      const ref = refOf(req.params);
      const range = parseSampleRange(req.query, now());
      res.json(await samples.read(ref, range));
    },
  );

  router.get('/alerts', allow(sloReadPermission), async (req, res) => {
    const { limit, offset, ...filter } = parseInput(alertListSchema, req.query);
    res.json(await alerts.list(filter, { limit, offset }));
  });

  router.post(
    '/alerts/:id/acknowledge',
    allow(sloManagePermission),
    async (req, res) => {
      const id = parseInput(alertParams, req.params).id;
      const { reason } = parseInput(acknowledgeSchema, req.body);
      res.json(
        await alerts.acknowledge(id, { actor: res.locals.caller, reason }),
      );
    },
  );

  router.post(
    '/alerts/:id/silence',
    allow(sloManagePermission),
    async (req, res) => {
      const id = parseInput(alertParams, req.params).id;
      const { reason, until } = parseInput(silenceSchema, req.body);
      if (until.getTime() <= now().getTime()) {
        throw new InputError('until must be in the future');
      }
      res.json(
        await alerts.silence(id, { actor: res.locals.caller, reason, until }),
      );
    },
  );

  // Other backend plugins' alerts: their service token names the source
  // (`plugin:<source>`, configured in slo.notifications.external); users
  // get 403. Backstage grants service principals every permission, so the
  // source check is the authorization.
  const external = options.external;
  if (external) {
    router.post('/external-alerts', async (req, res) => {
      const { principal } = await external.httpAuth.credentials(req, {
        allow: ['service'],
      });
      const source = external.alerts.sourceOf(principal.subject);
      const alert = parseInput(externalAlertSchema, req.body);
      res.status(202).json(await external.alerts.receive(source, alert));
    });
  }

  options.extend?.(router);
  return router;
}
