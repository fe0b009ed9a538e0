import { z } from 'zod';

/** `?limit=&offset=` for list routes: limit 1-100 (default 25). */
export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  offset: z.coerce.number().int().min(0).default(0),
});

export type PageQuery = z.output<typeof pageQuerySchema>;

export type { Page } from '@internal/plugin-ops-common';
