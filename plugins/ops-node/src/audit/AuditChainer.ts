import type { LoggerService } from '@backstage/backend-plugin-api';
import type { AuditEvent } from '@internal/plugin-ops-common';
import type { AuditChain } from './AuditChain';
import { auditEventToEcs } from './ecs';

export interface AuditChainerOptions {
  /**
   * Logs every event this process chains as one ECS line,
   * `audit <type>` with `auditEventToEcs` fields (default true).
   */
  logEvents?: boolean;
  /** `service.name` of the logged events; defaults to the plugin of each type, else the chain id. */
  service?: string;
}

/**
 * Links pending audit events into the chain in the background, every
 * `intervalMs` (each turn drains what is pending, in batches). Every
 * backend process runs one; on PostgreSQL only one of them chains at a time
 * (the others skip a turn), so replicas never contend on the chain's lock.
 *
 * While started, it logs every event this process links into the chain
 * (by its own turns, `append`, `verify` or `forRecord`) once, after commit,
 * through `logger` as ECS fields: the process that chains an event logs it.
 */
export class AuditChainer {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  #unsubscribe: (() => void) | undefined;

  constructor(
    private readonly audit: AuditChain,
    private readonly logger: LoggerService,
    private readonly intervalMs = 100,
    private readonly options: AuditChainerOptions = {},
  ) {}

  start(): void {
    this.#stopped = false;
    if (this.options.logEvents !== false && !this.#unsubscribe) {
      this.#unsubscribe = this.audit.onChained(events => this.#log(events));
    }
    this.#schedule(0);
  }

  #log(events: AuditEvent[]) {
    const fallback = this.options.service;
    for (const event of events) {
      const fields = auditEventToEcs(event, { service: fallback });
      if (!fields.service) {
        fields.service = { name: this.audit.chainId };
        fields.event.action = `${this.audit.chainId}.${event.type}`;
      }
      this.logger.info(`audit ${event.type}`, { ...fields });
    }
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
    await this.audit.listenersSettled();
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
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
