import { batchPerTurn } from './batching';

describe('batchPerTurn', () => {
  it('answers the calls of one event loop turn with one batch, in order, and caches nothing', async () => {
    const batches: number[][] = [];
    const double = batchPerTurn<number, number>(async keys => {
      batches.push([...keys]);
      return keys.map(key => key * 2);
    });
    expect(
      await Promise.all([double.load(1), double.load(2), double.load(1)]),
    ).toEqual([2, 4, 2]);
    expect(await double.load(3)).toBe(6);
    expect(batches).toEqual([[1, 2, 1], [3]]);
  });

  it('fails only the calls whose answer is an error', async () => {
    const check = batchPerTurn<number, number>(async keys =>
      keys.map(key => (key < 0 ? new Error(`negative: ${key}`) : key)),
    );
    const results = await Promise.allSettled([check.load(1), check.load(-1)]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: 1 });
    expect(results[1]).toMatchObject({
      status: 'rejected',
      reason: new Error('negative: -1'),
    });
  });
});
