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
  consentLookupSchema,
  dsarIntakeSchema,
  extendDeadlineSchema,
  privacyAdminPermission,
  privacyExportDownloadPermission,
  privacyRequestApprovePermission,
  privacyRequestCreatePermission,
  privacyConsentReadPermission,
  privacyOverviewReadPermission,
} from '@internal/plugin-privacy-common';
import express from 'express';
import Router from 'express-promise-router';
import { pipeline } from 'node:stream/promises';
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
import { type RequestPermissions, presentRequest } from './requestPermissions';
import type { RequestService } from './requests/RequestService';
import type { SlaService } from './SlaService';
import type { SourceResolver } from './executor/SourceResolver';
import { createCallerRateLimit } from './rateLimit';
import { holdSchema, idSchema, listQuerySchema } from './schemas';

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
  sources: Pick<SourceResolver, 'report'>;
  allow: PermissionMiddleware;
  /** Checks of privacy-request permissions (conditional per request). */
  requestAccess: Pick<RequestPermissions, 'readScope' | 'check' | 'present'>;
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
    sources,
    allow,
    requestAccess,
  } = options;
  const router = Router();
  router.use(express.json({ limit: '64kb' }));

  // Limited after the permission check (a refused call spends nothing):
  // per user for signed-in callers, per client address for the rest; 429
  // with Retry-After beyond it. Intake and consent lookups have a budget each.
  const { perMinute } = options.config.intakeRateLimit;
  const intakeLimit = createCallerRateLimit({ perMinute, what: 'intake' });
  const lookupLimit = createCallerRateLimit({
    perMinute,
    what: 'consent lookup',
  });

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
    allow(privacyRequestCreatePermission, USERS_ONLY),
    intakeLimit,
    submit('export'),
  );
  router.post(
    '/delete',
    allow(privacyRequestCreatePermission, USERS_ONLY),
    intakeLimit,
    submit('delete'),
  );

  // Request routes check privacy-request permissions, which the policy may
  // grant for some requests only (requestPermissions.ts): a list is
  // filtered in the database, one request is checked once loaded, and a
  // subject id is shown only with privacy.request.subject.read (and audited
  // as subject.revealed by the reader).
  router.get('/requests', async (req, res) => {
    const query = parseInput(listQuerySchema, req.query);
    res.json(await reader.list(query, await requestAccess.readScope(req)));
  });

  // The canonical read of one request; /status/:id is the seed's alias.
  for (const path of ['/requests/:id', '/status/:id']) {
    router.get(path, async (req, res) => {
      const id = parseInput(idSchema, req.params.id);
      res.json(await reader.detail(id, await requestAccess.readScope(req)));
    });
  }

  // Approve, cancel and retry: one permission, one shape.
  for (const action of ['approve', 'cancel', 'retry'] as const) {
    router.post(`/requests/:id/${action}`, async (req, res) => {
      const id = parseInput(idSchema, req.params.id);
      const { caller, scope } = await requestAccess.check(
        req,
        privacyRequestApprovePermission,
        { requestId: id },
        USERS_ONLY,
      );
      res.json(presentRequest(await requests[action](id, caller), scope));
    });
  }
  router.post(
    '/requests/:id/extend',
    allow(privacyAdminPermission, USERS_ONLY),
    async (req, res) => {
      const id = parseInput(idSchema, req.params.id);
      const { reason } = parseInput(extendDeadlineSchema, req.body);
      const extended = await requests.extend(id, res.locals.caller, reason);
      res.json(await requestAccess.present(req, extended));
    },
  );

  router.get('/requests/:id/audit', async (req, res) => {
    const id = parseInput(idSchema, req.params.id);
    const { scope } = await requestAccess.readScope(req);
    res.json({ events: await reader.auditTrail(id, scope) });
  });

  router.get(
    '/audit/verify',
    allow(privacyAdminPermission),
    async (_req, res) => {
      res.json(await audit.verify());
    },
  );

  router.get('/exports/:id/download', async (req, res) => {
    const exportId = parseInput(idSchema, req.params.id);
    const { caller } = await requestAccess.check(
      req,
      privacyExportDownloadPermission,
      { exportId },
      USERS_ONLY,
    );
    const download = await exports.download(exportId, caller);
    if (download.status !== 'ok') {
      res.status(410).json({
        error: {
          name: 'Gone',
          message:
            download.status === 'expired'
              ? `The download link expired at ${download.expiresAt}`
              : `The export bundle was deleted at ${download.deletedAt} (${
                  download.reason === 'erased'
                    ? 'the subject was erased'
                    : 'its link expired'
                })`,
        },
      });
      return;
    }
    // Streamed: should the bundle fail its checks mid-way, the pipeline
    // destroys the response, which then never completes.
    res
      .status(200)
      .type('application/zip')
      .setHeader(
        'Content-Disposition',
        `attachment; filename="dsar-export-${download.requestId}.zip"`,
      );
    try {
      await pipeline(download.zip, res);
    } catch (error) {
      // The client went away: nothing to answer.
      if (
        (error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE'
      ) {
        download.zip.destroy();
        return;
      }
      throw error;
    }
  });

  router.post(
    '/consent',
    allow(privacyRequestCreatePermission, USERS_ONLY),
    async (req, res) => {
      const change = parseInput(consentChangeSchema, req.body);
      res.status(201).json(await consent.record(change, res.locals.caller));
    },
  );

  // By POST, the subject id in the body: never in a URL, which request
  // logs, proxies and browser histories keep.
  router.post(
    '/consent/lookup',
    allow(privacyConsentReadPermission),
    lookupLimit,
    async (req, res) => {
      const { subject } = parseInput(consentLookupSchema, req.body);
      res.json(await consent.state(subject.id));
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
    allow(privacyOverviewReadPermission),
    async (_req, res) => {
      res.json(await sla.report());
    },
  );

  /** The SLI for the SLO plugin: good/total decisions of one request type over a window. */
  router.get(
    '/metrics/sli',
    allow(privacyOverviewReadPermission),
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
    allow(privacyOverviewReadPermission),
    async (_req, res) => {
      res.json(await queue.counts());
    },
  );

  /** The configured data stores and where the catalog disagrees with them (config wins). */
  router.get(
    '/sources/drift',
    allow(privacyOverviewReadPermission),
    async (_req, res) => {
      res.json(await sources.report());
    },
  );

  return router;
}
