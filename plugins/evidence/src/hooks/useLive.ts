import { createContext, useContext, useEffect, useRef, useState } from 'react';

/**
 * How long to wait between two reads of something still moving (a collector
 * run, a binder being built). Tests provide a short one.
 */
export const PollIntervalContext = createContext(1500);

/**
 * `initial`, kept up to date by calling `load` every poll interval until
 * `settled` says it has stopped moving; then `onSettled` is called once. A
 * failed read is shown as `error` and retried at the next interval.
 */
export function useLive<T>(options: {
  initial: T;
  load: () => Promise<T>;
  settled: (value: T) => boolean;
  onSettled?: (value: T) => void;
}) {
  const { initial, settled } = options;
  const interval = useContext(PollIntervalContext);
  const [value, setValue] = useState(initial);
  const [error, setError] = useState<Error>();
  const [tick, setTick] = useState(0);
  const latest = useRef(options);
  latest.current = options;

  useEffect(() => setValue(initial), [initial]);

  const done = settled(value);
  const wasDone = useRef(done);
  useEffect(() => {
    if (done && !wasDone.current) latest.current.onSettled?.(value);
    wasDone.current = done;
  }, [done, value]);

  useEffect(() => {
    if (done) return undefined;
    let cancelled = false;
    const timer = setTimeout(async () => {
      try {
        const next = await latest.current.load();
        if (cancelled) return;
        setValue(next);
        setError(undefined);
      } catch (e) {
        if (!cancelled) setError(e as Error);
      } finally {
        if (!cancelled) setTick(t => t + 1);
      }
    }, interval);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [done, tick, interval]);

  return { value, error, settled: done };
}
