import { Readable } from 'node:stream';
import { normalizeLine } from './normalizeLine';
import { normalizeStream, ProblemCounter } from './normalizeStream';

const good = (n: number) =>
  JSON.stringify({
    level: 'info',
    message: `line ${n}`,
    timestamp: '2025-03-04T10:00:00Z',
  });

describe('bad input', () => {
  it('turns each kind of bad line into a problem, never a throw', () => {
    expect(normalizeLine('{"level":"info", nope}')).toEqual({
      problem: 'malformed_json',
    });
    expect(normalizeLine('{"level":"info","message":"cut')).toEqual({
      problem: 'truncated',
    });
    expect(normalizeLine('"just a string"')).toEqual({
      problem: 'not_an_object',
    });
    expect(normalizeLine('null')).toEqual({ problem: 'not_an_object' });
    expect(normalizeLine('{"a":1}')).toEqual({ problem: 'unrecognized' });
    expect(normalizeLine('plain text')).toEqual({ problem: 'malformed_json' });
    expect(normalizeLine('   ')).toEqual({});
    expect(normalizeLine(good(1), { maxLineLength: 10 })).toEqual({
      problem: 'too_long',
    });
  });

  it('streams past malformed, truncated, huge and non-UTF-8 lines', async () => {
    const huge = `{"level":"info","message":"${'x'.repeat(10 * 1024 * 1024)}"}`;
    const input = Readable.from([
      Buffer.from(`${good(1)}\n{oops\n`),
      Buffer.from(`${huge}\n`),
      Buffer.concat([
        Buffer.from('{"level":"info","message":"'),
        Buffer.from([0xff, 0xfe, 0xc3]),
        Buffer.from('","timestamp":"2025-03-04T10:00:00Z"}\n'),
      ]),
      Buffer.from(`{"level":"info","message":"half\n${good(6)}\r\n`),
      Buffer.from(good(7)), // last line without a newline
    ]);
    const counter = new ProblemCounter();
    const events: number[] = [];
    for await (const result of normalizeStream(input, 'in.log')) {
      if ('problem' in result) counter.add(result.problem);
      else events.push(result.line);
    }
    expect(events).toEqual([1, 6, 7]);
    expect(counter.counts()).toEqual({
      invalid_utf8: 1,
      malformed_json: 1,
      too_long: 1,
      truncated: 1,
    });
    expect(counter.total).toBe(4);
    expect(counter.lines()).toEqual([
      'invalid_utf8: 1 (in.log:4)',
      'malformed_json: 1 (in.log:2)',
      'too_long: 1 (in.log:3)',
      'truncated: 1 (in.log:5)',
    ]);
  });

  it('reports a stream that fails as unreadable and ends it', async () => {
    const input = new Readable({
      read() {
        this.push(`${good(1)}\n`);
        this.destroy(new Error('disk gone'));
      },
    });
    const results = [];
    for await (const result of normalizeStream(input, 'x.log'))
      results.push(result);
    expect(results.at(-1)).toEqual({
      problem: {
        kind: 'unreadable',
        source: 'x.log',
        line: expect.any(Number),
      },
    });
  });

  it('keeps a bounded number of locations per kind', () => {
    const counter = new ProblemCounter(2);
    for (let line = 1; line <= 4; line += 1) {
      counter.add({ kind: 'truncated', source: 'a', line });
    }
    expect(counter.lines()).toEqual(['truncated: 4 (a:1, a:2, ...)']);
  });
});
