import { splitIntoParts } from './streams';

async function parts(chunkSizes: number[], partSize: number) {
  async function* chunks() {
    let start = 0;
    for (const size of chunkSizes) {
      const first = start;
      yield Buffer.from(
        Array.from({ length: size }, (_, i) => (first + i) % 256),
      );
      start += size;
    }
  }
  const out: Array<[number, number, boolean]> = [];
  const bytes: Buffer[] = [];
  for await (const part of splitIntoParts(chunks(), partSize)) {
    out.push([part.number, part.data.length, part.last]);
    bytes.push(part.data);
  }
  // The bytes come out in order, none lost or repeated.
  const all = [...Buffer.concat(bytes)];
  expect(all).toEqual(all.map((_, i) => i % 256));
  expect(all).toHaveLength(chunkSizes.reduce((sum, size) => sum + size, 0));
  return out;
}

describe('splitIntoParts', () => {
  it.each([
    ['an empty stream', [], [[1, 0, true]]],
    ['empty chunks only', [0, 0], [[1, 0, true]]],
    ['less than a part', [3, 4], [[1, 7, true]]],
    ['exactly one part', [5, 5], [[1, 10, true]]],
    [
      'exactly two parts',
      [10, 10],
      [
        [1, 10, false],
        [2, 10, true],
      ],
    ],
    [
      'one chunk of several parts',
      [25],
      [
        [1, 10, false],
        [2, 10, false],
        [3, 5, true],
      ],
    ],
    [
      'small chunks across parts',
      [3, 3, 3, 3, 3, 3, 3],
      [
        [1, 10, false],
        [2, 10, false],
        [3, 1, true],
      ],
    ],
  ] as Array<[string, number[], Array<[number, number, boolean]>]>)(
    'cuts %s',
    async (_what, chunkSizes, expected) => {
      expect(await parts(chunkSizes, 10)).toEqual(expected);
    },
  );
});
