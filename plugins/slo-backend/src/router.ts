import {
  PermissionMiddleware,
  pageQuerySchema,
  parseInput,
} from '@internal/plugin-ops-node';
import {
  sloReadPermission,
  sloSamplesPushPermission,
} from '@internal/plugin-slo-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import type { ObjectiveStore } from './ObjectiveStore';
import type { SampleService } from './samples/SampleService';
import { parseSampleBatch, parseSampleRange } from './samples/validate';

const listQuerySchema = pageQuerySchema.extend({
  entityRef: z.string().min(1).optional(),
});

/** `:ref`, already URL-decoded by express: the objective's id. */
const refSchema = z.string().min(1).max(255);

/** The services the SLO routes call: one call per route. */
export interface RouterOptions {
  objectives: Pick<ObjectiveStore, 'list'>;
  samples: Pick<SampleService, 'push' | 'read'>;
  allow: PermissionMiddleware;
  /** The clock pushed minutes are checked against; tests pass their own. */
  now?: () => Date;
}

/**
 * The SLO API under /api/slo: each handler parses its input, checks one
 * permission (`allow`) and makes one service call.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { objectives, samples, allow } = options;
  const now = options.now ?? (() => new Date());
  const router = Router();
  // A week of samples is some 600 kB of JSON.
  router.use(express.json({ limit: '2mb' }));

  router.get('/objectives', allow(sloReadPermission), async (req, res) => {
    const { limit, offset, ...filter } = parseInput(listQuerySchema, req.query);
    res.json(await objectives.list(filter, { limit, offset }));
  });

  // Other backends push too (Backstage allows their service principals),
  // so the push is not for users only.
  router.post(
    '/objectives/:ref/samples',
    allow(sloSamplesPushPermission),
    async (req, res) => {
      const ref = parseInput(refSchema, req.params.ref);
      const minutes = parseSampleBatch(req.body, now());
      res.json(await samples.push(ref, minutes));
    },
  );

  router.get(
    '/objectives/:ref/samples',
    allow(sloReadPermission),
    async (req, res) => {
      const ref = parseInput(refSchema, req.params.ref);
      const range = parseSampleRange(req.query, now());
      res.json(await samples.read(ref, range));
    },
  );

  return router;
}
