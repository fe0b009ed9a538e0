import type { LoggerService } from '@backstage/backend-plugin-api';

/** Small helpers of the SLO benchmark. */

export const MINUTE_MS = 60_000;

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Milliseconds since `start` (performance.now()). */
export const since = (start: number) => performance.now() - start;

export async function timed<T>(
  fn: () => Promise<T>,
): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: since(start), value };
}

export const fmtMs = (ms: number) =>
  ms >= 10_000
    ? `${(ms / 1000).toFixed(1)} s`
    : ms >= 1000
    ? `${(ms / 1000).toFixed(2)} s`
    : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;

/**
 * Peak memory of this process: the kernel's high-water mark of RSS
 * (getrusage maxrss) and the highest V8 heap (used) sampled every 50 ms.
 */
export class MemoryPeak {
  #heapUsed = 0;
  #rss = 0;
  #timer: NodeJS.Timeout;

  constructor() {
    this.#timer = setInterval(() => this.sample(), 50);
    this.#timer.unref();
    this.sample();
  }

  sample() {
    const m = process.memoryUsage();
    this.#heapUsed = Math.max(this.#heapUsed, m.heapUsed);
    this.#rss = Math.max(this.#rss, m.rss);
  }

  /** MB (2^20 bytes). */
  peak(): { rssMb: number; heapUsedMb: number } {
    this.sample();
    const kernel = process.resourceUsage().maxRSS * 1024; // KB on Linux
    return {
      rssMb: Math.max(kernel, this.#rss) / 2 ** 20,
      heapUsedMb: this.#heapUsed / 2 ** 20,
    };
  }

  stop() {
    clearInterval(this.#timer);
  }
}

/** A logger that counts warnings and errors and prints only the first few. */
export class CountingLogger implements LoggerService {
  warnings = 0;
  errors = 0;
  constructor(private readonly print: (line: string) => void) {}
  error(message: string) {
    this.errors += 1;
    if (this.errors <= 3) this.print(`  [error] ${message}`);
  }
  warn(message: string) {
    this.warnings += 1;
    if (this.warnings <= 3) this.print(`  [warn] ${message}`);
  }
  info() {}
  debug() {}
  child(): LoggerService {
    return this;
  }
}

export {
  parseArgs,
  processCpuSeconds,
  processPeakRssMb,
} from '../shared/process';
