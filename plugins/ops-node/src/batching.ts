import DataLoader from 'dataloader';

/**
 * Gathers the calls made within one turn of the event loop (everything
 * that became ready in the same poll phase: workers finishing queries at
 * once, intake requests arriving together) into one call of `batch`, which
 * must answer in the order of its keys. Nothing is cached: every call is
 * answered by a fresh batch. At most 100 keys per batch.
 */
export function batchPerTurn<K, V>(
  batch: (keys: readonly K[]) => Promise<ReadonlyArray<V | Error>>,
): DataLoader<K, V> {
  return new DataLoader<K, V>(batch, {
    cache: false,
    maxBatchSize: 100,
    batchScheduleFn: callback => setImmediate(callback),
  });
}
