import { readFileSync } from 'node:fs';
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

/** `--name value` and `--name=value` arguments. */
export function parseArgs(argv: string[]): Record<string, string | true> {
  const args: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) continue;
    const [name, inline] = arg.slice(2).split('=', 2);
    if (inline !== undefined) {
      args[name] = inline;
    } else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) {
      args[name] = argv[++i];
    } else {
      args[name] = true;
    }
  }
  return args;
}

/** The kernel's high-water mark of a process's resident memory (VmHWM), in MB. */
export function processPeakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
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
