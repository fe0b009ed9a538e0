/*
 * What held up an event loop, stall by stall. A 5 ms timer notes every
 * late wake-up (a stall) and, for the time it covers, splits it with the
 * kernel's per-thread scheduler counters (/proc/self/task/<pid>/schedstat:
 * time on a CPU, time waiting on the run queue) and Node's GC entries:
 *
 * - `on CPU`: the main thread ran (JavaScript, native code, GC);
 * - `GC`: the part of it in garbage collection pauses (Node's GC entries;
 *   a pause's parallel work on helper threads can make this exceed the
 *   main thread's own CPU time);
 * - `waiting for a CPU`: the thread was runnable but another thread or
 *   process had the core: the machine, not this code.
 * The counters cover the timer's whole interval, so the parts can add up
 * to a little more than the lag.
 *
 * monitorEventLoopDelay gives a histogram only; this says why.
 * Linux only (without /proc the split is left out).
 */
import { readFileSync } from 'node:fs';
import { PerformanceObserver, performance } from 'node:perf_hooks';

interface Stall {
  at: number;
  lagMs: number;
  cpuMs: number;
  waitMs: number;
  gcMs: number;
}

export interface StallSummary {
  stalls: number;
  /** Stalls of at least 5 ms and 10 ms. */
  over5: number;
  over10: number;
  /** Over the stalls ≥ 5 ms: their summed lag and its split. */
  lagMs: number;
  gcMs: number;
  cpuMs: number;
  waitMs: number;
  /** Over the whole window: the main thread's CPU, run-queue wait and GC. */
  window: {
    ms: number;
    cpuMs: number;
    waitMs: number;
    gcMs: number;
    gcs: number;
    majorGcMs: number;
    maxGcMs: number;
  };
  longest: Stall[];
}

const SCHEDSTAT = `/proc/self/task/${process.pid}/schedstat`;

/** This process's main thread: ms on a CPU and ms waiting for one, so far (Linux). */
export function schedstat(): { run: number; wait: number } | undefined {
  try {
    const [run, wait] = readFileSync(SCHEDSTAT, 'utf8').split(' ').map(Number);
    return { run: run / 1e6, wait: wait / 1e6 };
  } catch {
    return undefined;
  }
}

export interface StallMonitor {
  /** Starts the counted window afresh (e.g. when a warm-up ends): earlier stalls are forgotten. */
  reset(): void;
  stop(): StallSummary;
}

/**
 * Starts watching this process's event loop. Start it before the load
 * (adding a timer and a GC observer mid-load perturbs what is measured) and
 * `reset()` when the measured window begins.
 */
export function startStallMonitor(intervalMs = 5): StallMonitor {
  const gcs: Array<{ start: number; end: number; kind: number }> = [];
  const observer = new PerformanceObserver(list => {
    for (const e of list.getEntries()) {
      gcs.push({
        start: e.startTime,
        end: e.startTime + e.duration,
        kind: (e as any).detail?.kind ?? 0,
      });
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  let stalls: Stall[] = [];
  let started = performance.now();
  let first = schedstat();
  let last = started;
  let lastStat = first;
  let timer: NodeJS.Timeout;
  const gcWithin = (from: number, to: number) =>
    gcs.reduce(
      (sum, g) =>
        sum + Math.max(0, Math.min(to, g.end) - Math.max(from, g.start)),
      0,
    );
  let pending: Array<{ from: number; to: number; stall: Stall }> = [];
  const tick = () => {
    const now = performance.now();
    const stat = schedstat();
    const lag = now - last - intervalMs;
    if (lag >= 2) {
      const stall = {
        at: (last - started) / 1000,
        lagMs: lag,
        cpuMs: stat && lastStat ? stat.run - lastStat.run : NaN,
        waitMs: stat && lastStat ? stat.wait - lastStat.wait : NaN,
        gcMs: 0,
      };
      stalls.push(stall);
      // GC entries arrive after the fact: filled in at the end.
      pending.push({ from: last, to: now, stall });
    }
    last = now;
    lastStat = stat;
    timer = setTimeout(tick, intervalMs);
  };
  timer = setTimeout(tick, intervalMs);

  const reset = () => {
    stalls = [];
    pending = [];
    started = performance.now();
    first = schedstat();
  };
  const stop = () => {
    clearTimeout(timer);
    const ended = performance.now();
    const end = schedstat();
    observer.disconnect();
    for (const p of pending) p.stall.gcMs = gcWithin(p.from, p.to);
    const big = stalls.filter(s => s.lagMs >= 5);
    const sum = (xs: Stall[], k: keyof Stall) =>
      xs.reduce((a, s) => a + (s[k] as number), 0);
    const inWindow = gcs.filter(g => g.start >= started);
    return {
      stalls: stalls.length,
      over5: big.length,
      over10: stalls.filter(s => s.lagMs >= 10).length,
      lagMs: sum(big, 'lagMs'),
      gcMs: sum(big, 'gcMs'),
      cpuMs: sum(big, 'cpuMs'),
      waitMs: sum(big, 'waitMs'),
      window: {
        ms: ended - started,
        cpuMs: end && first ? end.run - first.run : NaN,
        waitMs: end && first ? end.wait - first.wait : NaN,
        gcMs: inWindow.reduce((a, g) => a + g.end - g.start, 0),
        gcs: inWindow.length,
        // kind 4: NODE_PERFORMANCE_GC_MAJOR (mark-compact)
        majorGcMs: inWindow
          .filter(g => g.kind === 4)
          .reduce((a, g) => a + g.end - g.start, 0),
        maxGcMs: Math.max(0, ...inWindow.map(g => g.end - g.start)),
      },
      longest: [...stalls].sort((a, b) => b.lagMs - a.lagMs).slice(0, 5),
    };
  };
  return { reset, stop };
}

export function logStalls(
  who: string,
  s: StallSummary,
  log: (line: string) => void,
): void {
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '?');
  log(
    `${who} main thread over ${(s.window.ms / 1000).toFixed(1)} s: on CPU ${f(
      s.window.cpuMs,
    )} ms, waiting for a CPU ${f(s.window.waitMs)} ms, GC ${f(
      s.window.gcMs,
    )} ms in ${s.window.gcs} pauses (mark-compact ${f(
      s.window.majorGcMs,
    )} ms, longest ${s.window.maxGcMs.toFixed(1)} ms)`,
  );
  log(
    `${who} event loop stalls (a 5 ms timer late by ≥ 2 ms): ${
      s.stalls
    }; ≥ 5 ms: ${s.over5}, ≥ 10 ms: ${s.over10}; the ≥ 5 ms ones add up to ${f(
      s.lagMs,
    )} ms of lag, in which: on CPU ${f(s.cpuMs)} ms (GC pauses ${f(
      s.gcMs,
    )} ms of it), waiting for a CPU ${f(s.waitMs)} ms`,
  );
  for (const x of s.longest) {
    log(
      `  ${x.lagMs.toFixed(1)} ms late at ${x.at.toFixed(
        2,
      )} s: on CPU ${x.cpuMs.toFixed(1)} ms (GC ${x.gcMs.toFixed(
        1,
      )} ms), waiting for a CPU ${x.waitMs.toFixed(1)} ms`,
    );
  }
}
