import type { LoggerService } from '@backstage/backend-plugin-api';
import type { AuditChain } from './AuditChain';

/**
 * Links pending audit events into the chain in the background, every
 * `intervalMs` (each turn drains what is pending, in batches). Every
 * backend process runs one; on PostgreSQL only one of them chains at a time
 * (the others skip a turn), so replicas never contend on the chain's lock.
 */
export class AuditChainer {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(
    private readonly audit: AuditChain,
    private readonly logger: LoggerService,
    private readonly intervalMs = 100,
  ) {}

  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Stops the loop and chains what is pending, so a clean shutdown leaves nothing unchained. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
    try {
      await this.audit.chainPending({ wait: true });
    } catch (error) {
      this.logger.warn(
        `Could not chain pending audit events at shutdown; the next process will: ${error}`,
      );
    }
  }

  #schedule(delayMs: number) {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.#tick();
    }, delayMs);
    this.#timer.unref();
  }

  async #tick() {
    try {
      await this.audit.chainPending({ wait: false });
    } catch (error) {
      this.logger.warn(
        `Chaining pending audit events failed, will retry: ${error}`,
      );
    }
    this.#schedule(this.intervalMs);
  }
}
