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

export {
  parseArgs,
  processCpuSeconds,
  processPeakRssMb,
} from '../shared/process';
