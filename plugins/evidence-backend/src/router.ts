import { NotFoundError } from '@backstage/errors';
import {
  changeRecordRequestSchema,
  evidenceBinderCreatePermission,
  evidenceChangeRecordPermission,
  evidenceCollectorRunPermission,
  evidenceCreatePermission,
  evidenceDeletePermission,
  evidenceExceptionPermission,
  evidenceLegalHoldPermission,
  evidenceReadPermission,
  evidenceSignOffPermission,
  EVIDENCE_TYPES,
} from '@internal/plugin-evidence-common';
import {
  PermissionMiddleware,
  pageQuerySchema,
  parseInput,
  readUpload,
} from '@internal/plugin-ops-node';
import express from 'express';
import Router from 'express-promise-router';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import type { BinderService } from './binders/BinderService';
import { recordChange } from './changes/recordChange';
import type { CollectorRunner } from './collectors/CollectorRunner';
import type { CoverageService } from './coverage/CoverageService';
import type { ExceptionService } from './exceptions/ExceptionService';
import type { EvidenceService } from './items/EvidenceService';
import type { AccessReviewService } from './reviews/AccessReviewService';
import type { ItemStore } from './store/ItemStore';
import type { RunStore } from './store/RunStore';
import type { ExceptionStore } from './store/ExceptionStore';

const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine(
      value =>
        ![...value].some(
          c => c.charCodeAt(0) < 0x20 && c !== '\n' && c !== '\t',
        ),
      'must not contain control characters',
    );
const isoTime = z
  .string()
  .datetime({ offset: true })
  .transform(s => new Date(s));
const idParams = z.object({ id: z.string().uuid('not an id') });
const idOf = (params: unknown) => parseInput(idParams, params).id;

export interface RouterOptions {
  allow: PermissionMiddleware;
  knownPoints: Set<string>;
  uploads: { maxBytes: number; mediaTypes: string[] };
  evidence: EvidenceService;
  items: ItemStore;
  runs: RunStore;
  exceptionStore: ExceptionStore;
  collectors: CollectorRunner;
  coverage: CoverageService;
  exceptions: ExceptionService;
  reviews: AccessReviewService;
  binders: BinderService;
  publicKeyPem: string;
}

/** Content-Disposition for a download, safe for any file name. */
function attachment(fileName: string) {
  const ascii = fileName.replace(/[^\w.-]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(
    fileName,
  )}`;
}

/** The evidence plugin's routes: parse, check the permission, one service call. */
export function createRouter(options: RouterOptions): express.Router {
  const { allow, knownPoints } = options;
  const router = Router();
  router.use(express.json({ limit: '64kb' }));

  const point = z.string().refine(
    p => knownPoints.has(p),
    p => ({ message: `unknown point ${p}` }),
  );

  router.get('/criteria', allow(evidenceReadPermission), async (_req, res) => {
    res.json(options.coverage.criteria());
  });

  router.get('/coverage', allow(evidenceReadPermission), async (_req, res) => {
    res.json(await options.coverage.report());
  });

  const itemListSchema = pageQuerySchema
    .extend({
      point: point.optional(),
      type: text(100).optional(),
      collector: text(100).optional(),
      entityRef: text(255).optional(),
      q: text(100).optional(),
    })
    .strict();
  router.get('/items', allow(evidenceReadPermission), async (req, res) => {
    const { limit, offset, ...filter } = parseInput(itemListSchema, req.query);
    res.json(await options.items.list(filter, { limit, offset }));
  });

  router.get('/items/:id', allow(evidenceReadPermission), async (req, res) => {
    res.json(await options.evidence.get(idOf(req.params)));
  });

  router.get(
    '/items/:id/content',
    allow(evidenceReadPermission),
    async (req, res) => {
      const { item, content } = await options.evidence.openContent(
        idOf(req.params),
      );
      res.setHeader('Content-Type', item.mediaType);
      res.setHeader('Content-Length', String(item.sizeBytes));
      res.setHeader('Content-Disposition', attachment(item.fileName));
      res.setHeader('X-Content-Type-Options', 'nosniff');
      await pipeline(content, res);
    },
  );

  router.post(
    '/items/:id/verify',
    allow(evidenceReadPermission),
    async (req, res) => {
      res.json(await options.evidence.verify(idOf(req.params)));
    },
  );

  const uploadMetadataSchema = z
    .object({
      title: text(500),
      points: z.array(point).min(1).max(50),
      periodStart: isoTime,
      periodEnd: isoTime,
      entityRef: text(255).optional(),
    })
    .strict()
    .refine(m => m.periodStart <= m.periodEnd, {
      message: 'the period ends before it starts',
      path: ['periodEnd'],
    });
  router.post(
    '/items',
    allow(evidenceCreatePermission, { usersOnly: true }),
    async (req, res) => {
      const upload = await readUpload(req, {
        ...options.uploads,
        metadata: 'required',
      });
      try {
        const metadata = parseInput(uploadMetadataSchema, upload.metadata);
        const item = await options.evidence.file({
          type: 'manual',
          title: metadata.title,
          points: metadata.points,
          cadence: EVIDENCE_TYPES.manual.cadence,
          collector: null,
          runId: null,
          entityRef: metadata.entityRef ?? null,
          periodStart: metadata.periodStart,
          periodEnd: metadata.periodEnd,
          filedBy: res.locals.caller,
          fileName: upload.fileName,
          mediaType: upload.mediaType,
          content: upload.file,
          summary: {},
        });
        res.status(201).json(item);
      } finally {
        await upload.file.remove();
      }
    },
  );

  router.post(
    '/changes',
    allow(evidenceChangeRecordPermission),
    async (req, res) => {
      const record = parseInput(changeRecordRequestSchema, req.body);
      const { item, created } = await recordChange(
        options,
        record,
        res.locals.caller,
      );
      res.status(created ? 201 : 200).json(item);
    },
  );

  const holdSchema = z
    .object({ hold: z.boolean(), reason: text(1000) })
    .strict();
  router.post(
    '/items/:id/legal-hold',
    allow(evidenceLegalHoldPermission, { usersOnly: true }),
    async (req, res) => {
      const id = idOf(req.params);
      const { hold, reason } = parseInput(holdSchema, req.body);
      res.json(
        await options.evidence.setLegalHold(
          id,
          hold,
          reason,
          res.locals.caller,
        ),
      );
    },
  );

  router.delete(
    '/items/:id',
    allow(evidenceDeletePermission, { usersOnly: true }),
    async (req, res) => {
      await options.evidence.delete(idOf(req.params), res.locals.caller);
      res.status(204).end();
    },
  );

  router.get(
    '/collectors',
    allow(evidenceReadPermission),
    async (_req, res) => {
      res.json(await options.collectors.info());
    },
  );

  const runRequestSchema = z
    .object({ entityRef: text(255).optional() })
    .strict();
  router.post(
    '/collectors/:id/runs',
    allow(evidenceCollectorRunPermission),
    async (req, res) => {
      const collectorId = parseInput(
        z.object({
          id: z.string().regex(/^[\w.-]{1,100}$/, 'not a collector id'),
        }),
        req.params,
      ).id;
      const { entityRef } = parseInput(runRequestSchema, req.body ?? {});
      const caller: string = res.locals.caller;
      res.status(202).json(
        await options.collectors.start(collectorId, {
          trigger: caller.startsWith('service:') ? 'scaffolder' : 'api',
          entityRef,
          requestedBy: caller,
        }),
      );
    },
  );

  const runListSchema = pageQuerySchema
    .extend({
      collector: text(100).optional(),
      state: z.enum(['running', 'succeeded', 'failed']).optional(),
    })
    .strict();
  router.get('/runs', allow(evidenceReadPermission), async (req, res) => {
    const { limit, offset, ...filter } = parseInput(runListSchema, req.query);
    res.json(await options.runs.list(filter, { limit, offset }));
  });

  router.get('/runs/:id', allow(evidenceReadPermission), async (req, res) => {
    const id = idOf(req.params);
    const run = await options.runs.get(id);
    if (!run) throw new NotFoundError(`No collector run ${id}`);
    const filed = await options.items.list(
      { runId: id },
      { limit: 100, offset: 0 },
    );
    res.json({ ...run, items: filed.items });
  });

  const exceptionListSchema = pageQuerySchema
    .extend({
      state: z.enum(['active', 'expired', 'revoked']).optional(),
      point: point.optional(),
    })
    .strict();
  router.get('/exceptions', allow(evidenceReadPermission), async (req, res) => {
    const { limit, offset, ...filter } = parseInput(
      exceptionListSchema,
      req.query,
    );
    res.json(
      await options.exceptionStore.list(filter, new Date(), { limit, offset }),
    );
  });

  const exceptionSchema = z
    .object({
      point,
      reason: text(2000),
      approver: text(255),
      expiresAt: isoTime,
    })
    .strict();
  router.post(
    '/exceptions',
    allow(evidenceExceptionPermission, { usersOnly: true }),
    async (req, res) => {
      const input = parseInput(exceptionSchema, req.body);
      res.status(201).json(
        await options.exceptions.create({
          ...input,
          createdBy: res.locals.caller,
        }),
      );
    },
  );

  router.post(
    '/exceptions/:id/revoke',
    allow(evidenceExceptionPermission, { usersOnly: true }),
    async (req, res) => {
      res.json(
        await options.exceptions.revoke(idOf(req.params), res.locals.caller),
      );
    },
  );

  router.get(
    '/access-reviews',
    allow(evidenceReadPermission),
    async (req, res) => {
      res.json(
        await options.reviews.list(
          parseInput(pageQuerySchema.strict(), req.query),
        ),
      );
    },
  );

  const signOffSchema = z.object({ comment: text(2000) }).strict();
  router.post(
    '/access-reviews/:id/sign-off',
    allow(evidenceSignOffPermission, { usersOnly: true }),
    async (req, res) => {
      const id = idOf(req.params);
      const { comment } = parseInput(signOffSchema, req.body);
      res
        .status(201)
        .json(await options.reviews.signOff(id, res.locals.caller, comment));
    },
  );

  router.get('/binders', allow(evidenceReadPermission), async (req, res) => {
    res.json(
      await options.binders.list(
        parseInput(pageQuerySchema.strict(), req.query),
      ),
    );
  });

  const binderSchema = z
    .object({
      periodStart: isoTime,
      periodEnd: isoTime,
      points: z.array(point).min(1).max(500).optional(),
    })
    .strict()
    .refine(b => b.periodStart < b.periodEnd, {
      message: 'the period ends before it starts',
      path: ['periodEnd'],
    });
  router.post(
    '/binders',
    allow(evidenceBinderCreatePermission),
    async (req, res) => {
      const input = parseInput(binderSchema, req.body);
      res.status(202).json(
        await options.binders.request({
          periodStart: input.periodStart,
          periodEnd: input.periodEnd,
          points: input.points ?? [...knownPoints],
          createdBy: res.locals.caller,
        }),
      );
    },
  );

  router.get(
    '/binders/:id',
    allow(evidenceReadPermission),
    async (req, res) => {
      res.json(await options.binders.get(idOf(req.params)));
    },
  );

  router.get(
    '/binders/:id/download',
    allow(evidenceReadPermission),
    async (req, res) => {
      const { binder, content } = await options.binders.open(idOf(req.params));
      res.setHeader('Content-Type', 'application/gzip');
      res.setHeader('Content-Length', String(binder.sizeBytes));
      res.setHeader(
        'Content-Disposition',
        attachment(
          `soc2-binder-${binder.periodStart.slice(
            0,
            10,
          )}-${binder.periodEnd.slice(0, 10)}.tar.gz`,
        ),
      );
      await pipeline(content, res);
    },
  );

  router.post(
    '/binders/:id/verify',
    allow(evidenceReadPermission),
    async (req, res) => {
      res.json(await options.binders.verify(idOf(req.params)));
    },
  );

  router.get(
    '/public-key',
    allow(evidenceReadPermission),
    async (_req, res) => {
      res.type('text/plain').send(options.publicKeyPem);
    },
  );

  return router;
}
