/**
 * Reads `read()` every `intervalMs` until `done(value)` or until `timeoutMs`
 * has passed; returns the last value read and whether time ran out. Each
 * value is handed to `onValue` (for progress logs). Stops early, throwing,
 * when `signal` aborts.
 */
export async function pollUntil<T>(options: {
  read: () => Promise<T>;
  done: (value: T) => boolean;
  intervalMs: number;
  timeoutMs: number;
  signal?: AbortSignal;
  onValue?: (value: T) => void;
}): Promise<{ value: T; timedOut: boolean }> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    options.signal?.throwIfAborted();
    const value = await options.read();
    options.onValue?.(value);
    if (options.done(value)) return { value, timedOut: false };
    if (Date.now() >= deadline) return { value, timedOut: true };
    await sleep(options.intervalMs, options.signal);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined = undefined;
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
