import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { KnexSampleStore, SLI_MINUTES_TABLE } from './SampleStore';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const REF = 'checkout:availability/eu-west-1';
const at = (hhmm: string) => new Date(`2026-12-02T${hhmm}:00Z`);

async function setup(databaseId: TestDatabaseId) {
  const knex = await databases.init(databaseId);
  await knex.migrate.latest({
    directory: resolvePackagePath('@internal/plugin-slo-backend', 'migrations'),
  });
  let clock = new Date('2026-12-02T12:00:00Z');
  const store = new KnexSampleStore(knex, () => clock);
  return {
    knex,
    store,
    setClock: (next: Date) => {
      clock = next;
    },
  };
}

describe.each(databases.eachSupportedId())('KnexSampleStore on %p', id => {
  it('replaces a minute pushed again, it does not add', async () => {
    const { knex, store, setClock } = await setup(id);
    expect(
      await store.upsertMinutes(
        REF,
        [
          { minute: at('10:00'), good: 9, total: 10 },
          { minute: at('10:01'), good: 8, total: 10 },
        ],
        'push',
      ),
    ).toBe(2);
    setClock(new Date('2026-12-02T12:05:00Z'));
    expect(
      await store.upsertMinutes(
        REF,
        [
          { minute: at('10:01'), good: 3, total: 4 },
          { minute: at('10:02'), good: 1, total: 1 },
        ],
        'prometheus',
      ),
    ).toBe(2);
    expect(await store.readRange(REF, at('00:00'), at('23:59'))).toEqual([
      {
        minute: '2026-12-02T10:00:00.000Z',
        good: 9,
        total: 10,
        source: 'push',
      },
      {
        minute: '2026-12-02T10:01:00.000Z',
        good: 3,
        total: 4,
        source: 'prometheus',
      },
      {
        minute: '2026-12-02T10:02:00.000Z',
        good: 1,
        total: 1,
        source: 'prometheus',
      },
    ]);
    const [{ n }] = await knex(SLI_MINUTES_TABLE).count({ n: '*' });
    expect(Number(n)).toBe(3);
    const replaced = await knex(SLI_MINUTES_TABLE)
      .where('minute', at('10:01'))
      .first('updated_at');
    expect(new Date(replaced.updated_at).toISOString()).toBe(
      '2026-12-02T12:05:00.000Z',
    );
  });

  it('reads a range inclusive of both ends, oldest first, one objective only', async () => {
    const { store } = await setup(id);
    // Written newest first, to show the order comes from the read.
    await store.upsertMinutes(
      REF,
      ['10:04', '10:03', '10:02', '10:01', '10:00'].map((m, i) => ({
        minute: at(m),
        good: i,
        total: 10,
      })),
      'push',
    );
    await store.upsertMinutes(
      'other',
      [{ minute: at('10:02'), good: 1, total: 1 }],
      'push',
    );
    const range = await store.readRange(REF, at('10:01'), at('10:03'));
    expect(range.map(m => [m.minute, m.good])).toEqual([
      ['2026-12-02T10:01:00.000Z', 3],
      ['2026-12-02T10:02:00.000Z', 2],
      ['2026-12-02T10:03:00.000Z', 1],
    ]);
    expect(await store.readRange(REF, at('11:00'), at('12:00'))).toEqual([]);
    expect(await store.readRange('unknown', at('00:00'), at('23:00'))).toEqual(
      [],
    );
  });

  it('answers the latest minute of one objective', async () => {
    const { store } = await setup(id);
    expect(await store.latestMinute(REF)).toBeUndefined();
    await store.upsertMinutes(
      REF,
      [
        { minute: at('09:59'), good: 1, total: 1 },
        { minute: at('10:30'), good: 1, total: 1 },
      ],
      'push',
    );
    await store.upsertMinutes(
      'other',
      [{ minute: at('11:00'), good: 1, total: 1 }],
      'push',
    );
    expect(await store.latestMinute(REF)).toEqual(at('10:30'));
  });

  it('keeps counts beyond 32 bits', async () => {
    const { store } = await setup(id);
    const big = 2 ** 40 + 7;
    await store.upsertMinutes(
      REF,
      [{ minute: at('10:00'), good: big - 1, total: big }],
      'push',
    );
    expect(await store.readRange(REF, at('10:00'), at('10:00'))).toEqual([
      expect.objectContaining({ good: big - 1, total: big }),
    ]);
  });

  it('stores a week of minutes at once, all of them or none', async () => {
    const { knex, store } = await setup(id);
    const start = Date.parse('2026-11-25T00:00:00Z');
    const week = Array.from({ length: 7 * 24 * 60 }, (_, i) => ({
      minute: new Date(start + i * 60_000),
      good: i % 10,
      total: 10,
    }));
    expect(await store.upsertMinutes(REF, week, 'push')).toBe(week.length);
    expect(await store.latestMinute(REF)).toEqual(week[week.length - 1].minute);
    // Pushed again, a week replaces itself: still one row per minute.
    await store.upsertMinutes(
      REF,
      week.map(m => ({ ...m, good: 0 })),
      'push',
    );
    const [{ n, good }] = await knex(SLI_MINUTES_TABLE)
      .where('objective_ref', REF)
      .count({ n: '*' })
      .sum({ good: 'good' });
    expect(Number(n)).toBe(week.length);
    expect(Number(good)).toBe(0);

    // A batch whose last statement fails leaves nothing of itself behind.
    const broken = [
      ...week.map(m => ({
        minute: new Date(m.minute.getTime() + 7 * 24 * 60 * 60_000),
        good: 1,
        total: 1,
      })),
    ];
    (broken[broken.length - 1] as { good: unknown }).good = null;
    await expect(store.upsertMinutes(REF, broken, 'push')).rejects.toThrow();
    const [{ after }] = await knex(SLI_MINUTES_TABLE)
      .where('objective_ref', REF)
      .count({ after: '*' });
    expect(Number(after)).toBe(week.length);
  });
});
