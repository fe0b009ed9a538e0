import { readFileSync } from 'node:fs';
import path from 'node:path';
import { normalizeLine } from './normalizeLine';
import type { NormalizeOptions, NormalizeResult } from './types';

interface GoldenCase {
  line: string;
  options?: NormalizeOptions;
  result: NormalizeResult;
}

/**
 * `__fixtures__/golden.ndjson`: input lines with the exact output the
 * normalizer gave for them (before it was rewritten for speed): the sample
 * logs, lines of the benchmark's generated log, and variants of the samples
 * with fields removed, emptied or of the wrong type, one for each output
 * shape. The output must stay byte for byte the same, key order included.
 */
const cases: GoldenCase[] = readFileSync(
  path.join(__dirname, '__fixtures__', 'golden.ndjson'),
  'utf8',
)
  .split('\n')
  .filter(text => text !== '')
  .map(text => JSON.parse(text));

describe('golden output', () => {
  it('covers every mapper and the problems a parsed line can have', () => {
    expect(cases.map(c => c.result.event?.event?.dataset)).toEqual(
      expect.arrayContaining([
        'backstage.log',
        'backstage.rootHttpRouter',
        'backstage.access',
        'backstage.auditor',
        'pino.log',
        'pino.access',
        'kubernetes.event',
        'kubernetes.audit',
        'ops.audit',
      ]),
    );
    expect(cases.map(c => c.result.problem)).toEqual(
      expect.arrayContaining([
        'invalid_utf8',
        'truncated',
        'malformed_json',
        'not_an_object',
        'unrecognized',
        'no_timestamp',
      ]),
    );
  });

  it.each(cases.map((c, i) => [i + 1, c] as const))(
    'line %i gives the same JSON as before',
    (_, { line, options, result }) => {
      expect(JSON.stringify(normalizeLine(line, options))).toBe(
        JSON.stringify(result),
      );
    },
  );
});
