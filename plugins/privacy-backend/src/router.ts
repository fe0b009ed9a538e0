import type { AuditorService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  PermissionCheck,
  callerRef,
  pageQuerySchema,
  parseInput,
} from '@internal/plugin-ops-node';
import {
  REGIONS,
  REQUEST_STATES,
  REQUEST_TYPES,
  RequestType,
  dsarIntakeSchema,
  privacyRequestCreatePermission,
  privacyRequestReadPermission,
} from '@internal/plugin-privacy-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import type { IntakeService } from './IntakeService';
import type { RequestStore } from './RequestStore';

const listQuerySchema = pageQuerySchema.extend({
  state: z.enum(REQUEST_STATES).optional(),
  type: z.enum(REQUEST_TYPES).optional(),
  region: z.enum(REGIONS).optional(),
});

export interface RouterOptions {
  store: RequestStore;
  intake: IntakeService;
  requirePermission: PermissionCheck;
  auditor: AuditorService;
}

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { store, intake, requirePermission, auditor } = options;
  const router = Router();
  router.use(express.json({ limit: '64kb' }));

  const submit =
    (type: RequestType) =>
    async (req: express.Request, res: express.Response) => {
      const credentials = await requirePermission(
        req,
        privacyRequestCreatePermission,
      );
      const body = parseInput(dsarIntakeSchema, req.body);
      const requester = callerRef(credentials);
      const event = await auditor.createEvent({
        eventId: `request-${type}`,
        severityLevel: 'medium',
        request: req,
      });
      try {
        const { request, created } = await intake.submit(type, body, requester);
        await event.success({ meta: { requestId: request.id, created } });
        res.status(created ? 201 : 200).json(request);
      } catch (error) {
        await event.fail({ error: error as Error });
        throw error;
      }
    };

  router.post('/export', submit('export'));
  router.post('/delete', submit('delete'));

  router.get('/requests', async (req, res) => {
    await requirePermission(req, privacyRequestReadPermission);
    const { limit, offset, ...filter } = parseInput(listQuerySchema, req.query);
    res.json(await store.list(filter, { limit, offset }));
  });

  router.get('/status/:id', async (req, res) => {
    await requirePermission(req, privacyRequestReadPermission);
    const request = await store.get(req.params.id);
    if (!request) {
      throw new NotFoundError(`No request with id ${req.params.id}`);
    }
    res.json(request);
  });

  return router;
}
