import { NotFoundError } from '@backstage/errors';
import {
  PermissionCheck,
  callerRef,
  parseInput,
} from '@internal/plugin-ops-node';
import {
  REGIONS,
  REQUEST_TYPES,
  RequestType,
  consentChangeSchema,
  dsarIntakeSchema,
  extendDeadlineSchema,
  privacyAdminPermission,
  privacyExportDownloadPermission,
  privacyRequestApprovePermission,
  privacyRequestCreatePermission,
  privacyRequestReadPermission,
} from '@internal/plugin-privacy-common';
import type { BasicPermission } from '@backstage/plugin-permission-common';
import express from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import Router from 'express-promise-router';
import type { Knex } from 'knex';
import { z } from 'zod';
import type { AuditLog, ConsentLedger } from './audit';
import type { PrivacyConfig } from './config';
import { decryptBundle, deserializeBundle } from './execution/crypto';
import type { DsarQueue } from './executor/DsarQueue';
import type { RegionRuntime } from './executor/RegionRuntime';
import type { ResultStore } from './executor/ResultStore';
import type { IdentifierProtection } from './identifiers';
import type { RequestService } from './requests/RequestService';
import type { RequestStore } from './requests/RequestStore';
import { loadRequestDetail } from './requests/requestDetail';
import { renderPrometheusMetrics } from './prometheus';
import {
  holdSchema,
  idSchema,
  listQuerySchema,
  subjectIdSchema,
} from './schemas';
import { computeSlaReport, computeSli } from './sla';

const SLA_WINDOW_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface RouterOptions {
  db: Knex;
  config: PrivacyConfig;
  store: RequestStore;
  requests: RequestService;
  results: ResultStore;
  audit: AuditLog;
  consent: ConsentLedger;
  identifiers: IdentifierProtection;
  queue: DsarQueue;
  regions: Map<string, RegionRuntime>;
  requirePermission: PermissionCheck;
  now?: () => Date;
}

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const {
    store,
    requests,
    results,
    audit,
    consent,
    identifiers,
    requirePermission,
  } = options;
  const now = () => options.now?.() ?? new Date();
  const router = Router();
  router.use(express.json({ limit: '64kb' }));

  /** Checks the permission and leaves the caller's ref for the handler and the rate limiter. */
  const allow =
    (permission: BasicPermission) =>
    async (
      req: express.Request,
      res: express.Response,
      next: express.NextFunction,
    ) => {
      res.locals.caller = callerRef(await requirePermission(req, permission));
      next();
    };

  // Intake is limited per IP and per user: 429 with Retry-After beyond it.
  const limiter = (
    keyGenerator: (req: express.Request, res: express.Response) => string,
  ) =>
    rateLimit({
      windowMs: 60_000,
      limit: options.config.intakeRateLimit.perMinute,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      keyGenerator,
      handler: (_req, res, _next, opts) => {
        res.status(opts.statusCode).json({
          error: {
            name: 'TooManyRequests',
            message:
              'Too many intake requests; retry after the Retry-After header',
          },
        });
      },
    });
  const perIp = limiter(req => ipKeyGenerator(req.ip ?? 'unknown'));
  const perUser = limiter((_req, res) => String(res.locals.caller));

  const submit =
    (type: RequestType) =>
    async (req: express.Request, res: express.Response) => {
      const body = parseInput(dsarIntakeSchema, req.body);
      const idempotencyKey = req.header('Idempotency-Key')?.trim() || undefined;
      if (idempotencyKey && idempotencyKey.length > 255) {
        parseInput(
          z.string().max(255, 'Idempotency-Key: at most 255 characters'),
          idempotencyKey,
        );
      }
      const { request, created } = await requests.submit(
        type,
        body,
        res.locals.caller,
        { idempotencyKey },
      );
      res.status(created ? 201 : 200).json(request);
    };
  router.post(
    '/export',
    perIp,
    allow(privacyRequestCreatePermission),
    perUser,
    submit('export'),
  );
  router.post(
    '/delete',
    perIp,
    allow(privacyRequestCreatePermission),
    perUser,
    submit('delete'),
  );

  router.get(
    '/requests',
    allow(privacyRequestReadPermission),
    async (req, res) => {
      res.json(await store.list(parseInput(listQuerySchema, req.query), now()));
    },
  );

  router.get(
    '/status/:id',
    allow(privacyRequestReadPermission),
    async (req, res) => {
      const id = parseInput(idSchema, req.params.id);
      const detail = await loadRequestDetail(options.db, store, id);
      if (!detail) throw new NotFoundError(`No request with id ${id}`);
      res.json(detail);
    },
  );

  // Approve, cancel and retry: one permission, one shape.
  for (const action of ['approve', 'cancel', 'retry'] as const) {
    router.post(
      `/requests/:id/${action}`,
      allow(privacyRequestApprovePermission),
      async (req, res) => {
        const id = parseInput(idSchema, req.params.id);
        res.json(await requests[action](id, res.locals.caller));
      },
    );
  }
  router.post(
    '/requests/:id/extend',
    allow(privacyAdminPermission),
    async (req, res) => {
      const { reason } = parseInput(extendDeadlineSchema, req.body);
      res.json(
        await requests.extend(
          parseInput(idSchema, req.params.id),
          res.locals.caller,
          reason,
        ),
      );
    },
  );

  router.get(
    '/requests/:id/audit',
    allow(privacyRequestReadPermission),
    async (req, res) => {
      const id = parseInput(idSchema, req.params.id);
      if (!(await store.getRow(id)))
        throw new NotFoundError(`No request with id ${id}`);
      res.json({ events: await audit.forRequest(id) });
    },
  );

  router.get(
    '/audit/verify',
    allow(privacyAdminPermission),
    async (_req, res) => {
      res.json(await audit.verify());
    },
  );

  router.get(
    '/exports/:id/download',
    allow(privacyExportDownloadPermission),
    async (req, res) => {
      const exported = await results.exportById(
        parseInput(idSchema, req.params.id),
      );
      if (!exported)
        throw new NotFoundError(`No export with id ${req.params.id}`);
      if (Date.parse(exported.expiresAt) < now().getTime()) {
        res.status(410).json({
          error: {
            name: 'Gone',
            message: `The download link expired at ${exported.expiresAt}`,
          },
        });
        return;
      }
      const request = (await store.get(exported.requestId))!;
      const runtime = options.regions.get(request.region)!;
      const sealed = await runtime.storage.get(`exports/${request.id}.zip.enc`);
      const zip = decryptBundle(deserializeBundle(sealed), runtime.keyring);
      await audit.append({
        requestId: request.id,
        type: 'export.downloaded',
        actor: res.locals.caller,
        data: { exportId: exported.id },
      });
      res
        .status(200)
        .type('application/zip')
        .setHeader(
          'Content-Disposition',
          `attachment; filename="dsar-export-${request.id}.zip"`,
        )
        .send(zip);
    },
  );

  router.post(
    '/consent',
    allow(privacyRequestCreatePermission),
    async (req, res) => {
      const change = parseInput(consentChangeSchema, req.body);
      const subjectHash = identifiers.hash(change.subject.id);
      await consent.record({
        subjectHash,
        purpose: change.purpose,
        granted: change.granted,
        source: change.source,
        actor: res.locals.caller,
      });
      res.status(201).json({
        subjectId: change.subject.id,
        current: await consent.current(subjectHash),
        history: await consent.history(subjectHash),
      });
    },
  );

  router.get(
    '/consent/:subjectId',
    allow(privacyRequestReadPermission),
    async (req, res) => {
      const subjectId = parseInput(subjectIdSchema, req.params.subjectId);
      const subjectHash = identifiers.hash(subjectId);
      res.json({
        subjectId,
        current: await consent.current(subjectHash),
        history: await consent.history(subjectHash),
      });
    },
  );

  router.post('/holds', allow(privacyAdminPermission), async (req, res) => {
    const hold = parseInput(holdSchema, req.body);
    res
      .status(201)
      .json(
        await requests.placeHold(
          hold.subject.id,
          hold.reason,
          res.locals.caller,
        ),
      );
  });

  router.post(
    '/holds/:id/release',
    allow(privacyAdminPermission),
    async (req, res) => {
      res.json(
        await requests.releaseHold(
          parseInput(idSchema, req.params.id),
          res.locals.caller,
        ),
      );
    },
  );

  router.get(
    '/metrics/sla',
    allow(privacyRequestReadPermission),
    async (_req, res) => {
      const since = new Date(now().getTime() - SLA_WINDOW_DAYS * DAY_MS);
      res.json(
        computeSlaReport(await store.slaInputsSince(since), now(), {
          windowDays: SLA_WINDOW_DAYS,
          objective: options.config.objective,
        }),
      );
    },
  );

  /** The SLI for the SLO plugin: good/total decisions of one request type over a window. */
  router.get(
    '/metrics/sli',
    allow(privacyRequestReadPermission),
    async (req, res) => {
      const query = parseInput(
        z
          .object({
            type: z.enum(REQUEST_TYPES),
            region: z.enum(REGIONS).optional(),
            windowMinutes: z.coerce
              .number()
              .int()
              .min(1)
              .max(90 * 24 * 60),
          })
          .strict(),
        req.query,
      );
      const end = now();
      const start = new Date(end.getTime() - query.windowMinutes * 60_000);
      const inputs = (await store.slaInputsDecidedIn(start, end)).filter(
        row =>
          row.type === query.type &&
          (!query.region || row.region === query.region),
      );
      res.json({
        ...query,
        windowStart: start.toISOString(),
        windowEnd: end.toISOString(),
        ...computeSli(inputs, { start, end }),
      });
    },
  );

  // Prometheus scrapes without a user token; only counts, no personal data.
  router.get('/metrics', async (_req, res) => {
    res
      .type('text/plain; version=0.0.4')
      .send(
        await renderPrometheusMetrics(options.db, await options.queue.counts()),
      );
  });

  router.get(
    '/metrics/queue',
    allow(privacyRequestReadPermission),
    async (_req, res) => {
      res.json(await options.queue.counts());
    },
  );

  return router;
}
