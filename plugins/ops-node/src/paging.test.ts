import { TestDatabases } from '@backstage/backend-test-utils';
import { MAX_PAGE_OFFSET, pageQuerySchema, readPage } from './paging';
import { parseInput } from './http';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())('readPage on %p', databaseId => {
  it('counts the filtered rows and reads one ordered page of them', async () => {
    const knex = await databases.init(databaseId);
    await knex.schema.createTable('things', table => {
      table.integer('id').primary();
      table.string('kind');
    });
    await knex('things').insert(
      Array.from({ length: 7 }, (_, i) => ({
        id: i + 1,
        kind: i % 2 ? 'odd' : 'even',
      })),
    );
    const page = await readPage<{ id: number }, number>(
      knex('things').where('kind', 'even'),
      { limit: 2, offset: 1 },
      { orderBy: [{ column: 'id', order: 'desc' }], toItem: row => row.id },
    );
    expect(page).toEqual({ items: [5, 3], totalCount: 4, limit: 2, offset: 1 });
    const past = await readPage<{ id: number }, number>(
      knex('things'),
      { limit: 5, offset: 10 },
      { orderBy: [{ column: 'id' }], toItem: row => row.id },
    );
    expect(past).toEqual({ items: [], totalCount: 7, limit: 5, offset: 10 });
  });

  it('takes limit 1-100 and offset from 0, from query strings', () => {
    expect(pageQuerySchema.parse({})).toEqual({ limit: 25, offset: 0 });
    expect(pageQuerySchema.parse({ limit: '10', offset: '20' })).toEqual({
      limit: 10,
      offset: 20,
    });
    expect(pageQuerySchema.safeParse({ limit: '101' }).success).toBe(false);
    expect(pageQuerySchema.safeParse({ offset: '-1' }).success).toBe(false);
  });

  it('takes offset up to MAX_PAGE_OFFSET and refuses deeper pages with a 400 that says why', () => {
    expect(MAX_PAGE_OFFSET).toBe(10_000);
    expect(pageQuerySchema.parse({ offset: '10000' })).toEqual({
      limit: 25,
      offset: 10_000,
    });
    expect(() => parseInput(pageQuerySchema, { offset: '10001' })).toThrow(
      expect.objectContaining({
        name: 'InputError',
        message:
          'Invalid input: offset: at most 10000; narrow the list with its filters, or sort it the other way, to reach rows beyond',
      }),
    );
  });
});
