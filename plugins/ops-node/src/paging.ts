import type { Page } from '@internal/plugin-ops-common';
import type { Knex } from 'knex';
import { z } from 'zod';

/** `?limit=&offset=` for list routes: limit 1-100 (default 25). */
export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  offset: z.coerce.number().int().min(0).default(0),
});

export type PageQuery = z.output<typeof pageQuerySchema>;

export type { Page } from '@internal/plugin-ops-common';

/**
 * One page of a filtered query: its total count and the rows of the page in
 * `orderBy` order (end it with a unique column, such as the id, so pages
 * never overlap), each mapped with `toItem`. `query` is the filtered table,
 * with no select, order or limit of its own.
 */
export async function readPage<Row, T>(
  query: Knex.QueryBuilder,
  page: PageQuery,
  options: {
    orderBy: Array<{ column: string; order?: 'asc' | 'desc' }>;
    toItem: (row: Row) => T;
  },
): Promise<Page<T>> {
  const [{ count }] = await query.clone().count({ count: '*' });
  const rows: Row[] = await query
    .clone()
    .select('*')
    .orderBy(options.orderBy)
    .limit(page.limit)
    .offset(page.offset);
  return {
    items: rows.map(options.toItem),
    totalCount: Number(count),
    limit: page.limit,
    offset: page.offset,
  };
}
