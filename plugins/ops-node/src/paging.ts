import { z } from 'zod';

/** `?limit=&offset=` for list routes: limit 1-100 (default 25). */
export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  offset: z.coerce.number().int().min(0).default(0),
});

export type PageQuery = z.output<typeof pageQuerySchema>;

/** The envelope every ops list route answers with. */
export interface Page<T> {
  items: T[];
  totalCount: number;
  limit: number;
  offset: number;
}
