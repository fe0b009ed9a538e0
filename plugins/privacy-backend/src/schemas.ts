import { pageQuerySchema } from '@internal/plugin-ops-node';
import {
  PRIORITY_NAMES,
  REGIONS,
  REQUEST_STATES,
  REQUEST_TYPES,
  plainText,
} from '@internal/plugin-privacy-common';
import { z } from 'zod';

/** The router's own input schemas (the bodies live in privacy-common). */
export const listQuerySchema = pageQuerySchema
  .extend({
    state: z.enum(REQUEST_STATES).optional(),
    type: z.enum(REQUEST_TYPES).optional(),
    region: z.enum(REGIONS).optional(),
    priority: z.enum(PRIORITY_NAMES).optional(),
    overdue: z
      .enum(['true', 'false'])
      .transform(v => v === 'true')
      .optional(),
    sort: z
      .enum(['createdAt', 'slaDueAt', 'legalDueAt', 'priority'])
      .default('createdAt'),
    order: z.enum(['asc', 'desc']).default('desc'),
  })
  .strict();

export const idSchema = z.string().uuid();
export const subjectIdSchema = plainText(1, 200);
export const holdSchema = z
  .object({
    subject: z.object({ id: subjectIdSchema }).strict(),
    reason: plainText(10, 1000),
  })
  .strict();
