import type { RetryTimer } from '../pipeline';

/** A RetryTimer the test fires by hand: nothing runs on its own. */
export class ManualTimer {
  readonly #scheduled: Array<{
    run: () => Promise<void>;
    ms: number;
    done: boolean;
  }> = [];

  readonly timer: RetryTimer = (run, ms) => {
    const entry = { run, ms, done: false };
    this.#scheduled.push(entry);
    return () => {
      entry.done = true;
    };
  };

  /** Delays of everything scheduled so far, in order. */
  get delays(): number[] {
    return this.#scheduled.map(s => s.ms);
  }

  /** Scheduled runs not yet fired or cancelled. */
  get waiting(): number {
    return this.#scheduled.filter(s => !s.done).length;
  }

  /** Runs the one scheduled run and waits for it. */
  async fire(): Promise<void> {
    const waiting = this.#scheduled.filter(s => !s.done);
    if (waiting.length !== 1) {
      throw new Error(`Expected one scheduled run, found ${waiting.length}`);
    }
    waiting[0].done = true;
    await waiting[0].run();
  }
}
