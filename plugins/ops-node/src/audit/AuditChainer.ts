import type { LoggerService } from '@backstage/backend-plugin-api';
import type { AuditEvent } from '@internal/plugin-ops-common';
import type { AuditChain } from './AuditChain';
import { auditEventToEcs } from './ecs';
import {
  entityRefOfAuditData,
  type ServiceTargetFacts,
  type ServiceTargetLookup,
} from './serviceTargets';

export interface AuditChainerOptions {
  /**
   * Logs every event this process chains as one ECS line,
   * `audit <type>` with `auditEventToEcs` fields (default true).
   */
  logEvents?: boolean;
  /** `service.name` of the logged events; defaults to the plugin of each type, else the chain id. */
  service?: string;
  /**
   * What the catalog says of the entity an event acted on (`data.entityRef`),
   * for the logged `service.target` (e.g. `CatalogServiceTargets`). Lines
   * that need it wait for it, in order; without it they name the entity only.
   */
  targets?: ServiceTargetLookup;
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
  /** Lines waiting for their catalog facts, in chain order. */
  #logging: Promise<void> | undefined;

  constructor(
    private readonly audit: AuditChain,
    private readonly logger: LoggerService,
    private readonly intervalMs = 100,
    private readonly options: AuditChainerOptions = {},
  ) {}

  start(): void {
    this.#stopped = false;
    if (this.options.logEvents !== false && !this.#unsubscribe) {
      this.#unsubscribe = this.audit.onChained(events =>
        this.#onChained(events),
      );
    }
    this.#schedule(0);
  }

  /** Logs at once when no line needs the catalog and none waits before it. */
  #onChained(events: AuditEvent[]) {
    const refs = this.options.targets
      ? events.flatMap(event => entityRefOfAuditData(event.data) ?? [])
      : [];
    if (refs.length === 0 && !this.#logging) {
      this.#log(events, new Map());
      return;
    }
    const logged: Promise<void> = (this.#logging ?? Promise.resolve())
      .then(() => this.#describe(refs))
      .then(targets => this.#log(events, targets))
      .finally(() => {
        if (this.#logging === logged) this.#logging = undefined;
      });
    this.#logging = logged;
  }

  async #describe(refs: string[]): Promise<Map<string, ServiceTargetFacts>> {
    if (refs.length === 0 || !this.options.targets) return new Map();
    try {
      return await this.options.targets.describe(refs);
    } catch {
      return new Map();
    }
  }

  /** Resolves once every event chained so far has been logged. */
  async logged(): Promise<void> {
    await this.audit.listenersSettled();
    while (this.#logging) await this.#logging;
  }

  #log(events: AuditEvent[], targets: Map<string, ServiceTargetFacts>) {
    const fallback = this.options.service;
    for (const event of events) {
      const entityRef = entityRefOfAuditData(event.data);
      const fields = auditEventToEcs(event, {
        service: fallback,
        target: entityRef ? targets.get(entityRef) : undefined,
      });
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
    await this.logged();
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
