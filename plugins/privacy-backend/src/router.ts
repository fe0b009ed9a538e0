import {
  AuditChain,
  PermissionMiddleware,
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
import express from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import Router from 'express-promise-router';
import { z } from 'zod';
import type { PrivacyConfig } from './config';
import type { ConsentService } from './consent/ConsentService';
import type { DsarQueue } from './executor/DsarQueue';
import type { ExportService } from './exports/ExportService';
import {
  IdempotencyKeyReuseError,
  type IntakeService,
} from './requests/IntakeService';
import type { RequestReader } from './requests/RequestReader';
import type { RequestService } from './requests/RequestService';
import type { SlaService } from './SlaService';
import {
  holdSchema,
  idSchema,
  listQuerySchema,
  subjectIdSchema,
} from './schemas';

/**
 * Creating, approving, administering and downloading need a signed-in user:
 * Backstage allows every permission to another backend's service principal.
 * Reads (the SLI, the SLA report, verify) stay open to services.
 */
const USERS_ONLY = { usersOnly: true };

/** The services the privacy routes call: one call per route. */
export interface RouterOptions {
  config: Pick<PrivacyConfig, 'intakeRateLimit'>;
  intake: IntakeService;
  requests: RequestService;
  reader: RequestReader;
  exports: ExportService;
  consent: ConsentService;
  sla: SlaService;
  audit: Pick<AuditChain, 'verify'>;
  queue: Pick<DsarQueue, 'counts'>;
  allow: PermissionMiddleware;
}

/**
 * The privacy API under /api/privacy: each handler parses its input, checks
 * one permission (`allow`) and makes one service call.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const {
    intake,
    requests,
    reader,
    exports,
    consent,
    sla,
    audit,
    queue,
    allow,
  } = options;
  const router = Router();
  router.use(express.json({ limit: '64kb' }));

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
      try {
        const { request, created } = await intake.submit(
          type,
          body,
          res.locals.caller,
          { idempotencyKey },
        );
        res.status(created ? 201 : 200).json(request);
      } catch (error) {
        if (!(error instanceof IdempotencyKeyReuseError)) throw error;
        res.status(422).json({
          error: { name: 'UnprocessableEntity', message: error.message },
        });
      }
    };
  router.post(
    '/export',
    perIp,
    allow(privacyRequestCreatePermission, USERS_ONLY),
    perUser,
    submit('export'),
  );
  router.post(
    '/delete',
    perIp,
    allow(privacyRequestCreatePermission, USERS_ONLY),
    perUser,
    submit('delete'),
  );

  router.get(
    '/requests',
    allow(privacyRequestReadPermission),
    async (req, res) => {
      res.json(await reader.list(parseInput(listQuerySchema, req.query)));
    },
  );

  // The canonical read of one request; /status/:id is the seed's alias.
  for (const path of ['/requests/:id', '/status/:id']) {
    router.get(path, allow(privacyRequestReadPermission), async (req, res) => {
      res.json(await reader.detail(parseInput(idSchema, req.params.id)));
    });
  }

  // Approve, cancel and retry: one permission, one shape.
  for (const action of ['approve', 'cancel', 'retry'] as const) {
    router.post(
      `/requests/:id/${action}`,
      allow(privacyRequestApprovePermission, USERS_ONLY),
      async (req, res) => {
        const id = parseInput(idSchema, req.params.id);
        res.json(await requests[action](id, res.locals.caller));
      },
    );
  }
  router.post(
    '/requests/:id/extend',
    allow(privacyAdminPermission, USERS_ONLY),
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
      res.json({ events: await reader.auditTrail(id) });
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
    allow(privacyExportDownloadPermission, USERS_ONLY),
    async (req, res) => {
      const download = await exports.download(
        parseInput(idSchema, req.params.id),
        res.locals.caller,
      );
      if (download.status === 'expired') {
        res.status(410).json({
          error: {
            name: 'Gone',
            message: `The download link expired at ${download.expiresAt}`,
          },
        });
        return;
      }
      res
        .status(200)
        .type('application/zip')
        .setHeader(
          'Content-Disposition',
          `attachment; filename="dsar-export-${download.requestId}.zip"`,
        )
        .send(download.zip);
    },
  );

  router.post(
    '/consent',
    allow(privacyRequestCreatePermission, USERS_ONLY),
    async (req, res) => {
      const change = parseInput(consentChangeSchema, req.body);
      res.status(201).json(await consent.record(change, res.locals.caller));
    },
  );

  router.get(
    '/consent/:subjectId',
    allow(privacyRequestReadPermission),
    async (req, res) => {
      res.json(
        await consent.state(parseInput(subjectIdSchema, req.params.subjectId)),
      );
    },
  );

  router.post(
    '/holds',
    allow(privacyAdminPermission, USERS_ONLY),
    async (req, res) => {
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
    },
  );

  router.post(
    '/holds/:id/release',
    allow(privacyAdminPermission, USERS_ONLY),
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
      res.json(await sla.report());
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
      res.json(await sla.sli(query));
    },
  );

  router.get(
    '/metrics/queue',
    allow(privacyRequestReadPermission),
    async (_req, res) => {
      res.json(await queue.counts());
    },
  );

  return router;
}
