import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { EcsDocument } from '../correlation/types';
import { normalizeLine } from './normalizeLine';
import type { NormalizeOptions, ProblemKind } from './types';

/** A problem with where it was: kind, source name and 1-based line number. */
export interface LineProblem {
  kind: ProblemKind | 'unreadable';
  source: string;
  line: number;
}

export type NumberedResult =
  | { event: EcsDocument; source: string; line: number }
  | { problem: LineProblem };

/**
 * Normalizes a stream line by line (readline over the stream; a file is never
 * read whole). Yields events and located problems in input order; a read
 * error ends this source with an `unreadable` problem instead of throwing.
 */
export async function* normalizeStream(
  input: Readable,
  source: string,
  options: NormalizeOptions = {},
): AsyncGenerator<NumberedResult> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  let failed = false;
  input.on('error', () => {
    failed = true;
    lines.close();
  });
  try {
    for await (const text of lines) {
      lineNumber += 1;
      const result = normalizeLine(text, options);
      if (result.event) {
        yield { event: result.event, source, line: lineNumber };
      } else if (result.problem) {
        yield { problem: { kind: result.problem, source, line: lineNumber } };
      }
    }
  } catch {
    failed = true;
  }
  if (failed) {
    yield { problem: { kind: 'unreadable', source, line: lineNumber } };
  }
}

/** Counts problems per kind and keeps the first few locations of each. */
export class ProblemCounter {
  readonly #counts = new Map<string, { count: number; at: string[] }>();

  constructor(private readonly keepLocations = 5) {}

  add(problem: LineProblem): void {
    const entry = this.#counts.get(problem.kind) ?? { count: 0, at: [] };
    entry.count += 1;
    if (entry.at.length < this.keepLocations) {
      entry.at.push(`${problem.source}:${problem.line}`);
    }
    this.#counts.set(problem.kind, entry);
  }

  get total(): number {
    let sum = 0;
    for (const { count } of this.#counts.values()) sum += count;
    return sum;
  }

  /** `{ kind: count }`, kinds sorted. */
  counts(): Record<string, number> {
    return Object.fromEntries(
      [...this.#counts.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([kind, { count }]) => [kind, count]),
    );
  }

  /** One line per kind: `malformed_json: 2 (a.log:3, a.log:9)`. */
  lines(): string[] {
    return Object.entries(this.counts()).map(([kind, count]) => {
      const at = this.#counts.get(kind)!.at;
      const more = count > at.length ? ', ...' : '';
      return `${kind}: ${count} (${at.join(', ')}${more})`;
    });
  }
}
