import type { Page } from '@internal/plugin-ops-common';
import type { Knex } from 'knex';
import { z } from 'zod';

/**
 * The deepest page a list route reads: past it, `offset` is refused, since
 * the database reads and discards every skipped row. Narrow the list with its
 * filters, or sort it the other way, to reach rows beyond.
 */
export const MAX_PAGE_OFFSET = 10_000;

/** `?limit=&offset=` for list routes: limit 1-100 (default 25), offset 0-MAX_PAGE_OFFSET. */
export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  offset: z.coerce
    .number()
    .int()
    .min(0)
    .max(
      MAX_PAGE_OFFSET,
      `at most ${MAX_PAGE_OFFSET}; narrow the list with its filters, or sort it the other way, to reach rows beyond`,
    )
    .default(0),
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
