/** One part of a stream cut by {@link splitIntoParts}. */
export interface Part {
  data: Buffer;
  /** 1-based. */
  number: number;
  /** Whether no part follows. */
  last: boolean;
}

/**
 * Cuts a stream of chunks into parts of exactly `partSize` bytes but the
 * last, which holds the rest (1 to `partSize` bytes, or 0 when the stream
 * was empty). A full part is held back until more data arrives or the
 * stream ends, so that every part knows whether it is the last: memory
 * stays within one part plus one chunk.
 */
export async function* splitIntoParts(
  chunks: AsyncIterable<Buffer>,
  partSize: number,
): AsyncGenerator<Part> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let number = 0;

  const take = (size: number): Buffer => {
    const all = pending.length === 1 ? pending[0] : Buffer.concat(pending);
    const rest = all.subarray(size);
    pending = rest.length > 0 ? [rest] : [];
    pendingBytes = rest.length;
    return all.subarray(0, size);
  };

  for await (const chunk of chunks) {
    if (chunk.length === 0) continue;
    // More data: the full parts held back are not the last.
    while (pendingBytes >= partSize) {
      yield { data: take(partSize), number: ++number, last: false };
    }
    pending.push(chunk);
    pendingBytes += chunk.length;
  }
  while (pendingBytes > partSize) {
    yield { data: take(partSize), number: ++number, last: false };
  }
  yield { data: take(pendingBytes), number: ++number, last: true };
}
