import { readFileSync } from 'node:fs';
/** Small helpers of the privacy benchmarks. */

/** The value at quantile `q` (0..1) of ascending `sorted` (nearest rank). */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export const seconds = (ms: number) => (ms / 1000).toFixed(1);

/**
 * Peak resident memory of this process: the kernel's high-water mark
 * (getrusage maxrss) and, as a cross-check, the highest RSS sampled every
 * 100 ms.
 */
export class MemoryPeak {
  #sampled = 0;
  #timer: NodeJS.Timeout;

  constructor() {
    this.#timer = setInterval(() => this.sample(), 100);
    this.#timer.unref();
    this.sample();
  }

  sample() {
    this.#sampled = Math.max(this.#sampled, process.memoryUsage().rss);
  }

  /** MB (2^20 bytes), the larger of the kernel's and the sampled peak. */
  peakMb(): number {
    this.sample();
    const kernel = process.resourceUsage().maxRSS * 1024; // KB on Linux
    return Math.max(kernel, this.#sampled) / 2 ** 20;
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

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
export function processCpuSeconds(pid: number): number {
  // Fields after the command name; utime and stime are the 14th and 15th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The kernel's high-water mark of a process's resident memory (VmHWM), in MB. */
export function processPeakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}
