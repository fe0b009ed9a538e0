import type { OutboxDeliverer } from '@internal/plugin-ops-node';
import type { SloAlertLink } from '@internal/plugin-slo-common';

/**
 * Notifiers: one `OutboxDeliverer` per configured target. The evaluation
 * enqueues one outbox delivery per (alert transition, target) with
 * idempotency key `slo-alert:<alertId>:<event>[:<n>]:<target>` and an
 * `SloAlertNotification` as payload; `POST /external-alerts` enqueues
 * `external:<source>:<alertId>:<event>:<target>` with an
 * `ExternalAlertNotification` (`kind: 'external'`). The outbox worker hands
 * each to the target's deliverer, at least once; `describeAlert` gives
 * every renderer the title, summary, severity, link and link key of either. A deliverer makes a retried delivery
 * act once at the vendor (dedup key, or a lookup of what it made before).
 */

/** Where deliverers remember what they made for an alert (a Jira key, a Slack ts), so later events update it. */
export interface AlertLinkStore {
  /** The link a target made for an alert (`describeAlert(n).key`: at most 36 characters), if any. */
  get(alertId: string, target: string): Promise<SloAlertLink | undefined>;
  /** Records (or replaces) the link a target made for an alert. */
  put(alertId: string, link: SloAlertLink): Promise<void>;
}

/** What every notifier factory is given. */
export interface NotifierContext {
  /** The target's configured name (the outbox delivery `target`). */
  name: string;
  links: AlertLinkStore;
  /** Default: the global fetch. Tests may pass their own. */
  fetch?: typeof fetch;
  /** Per-request timeout. Default 10 000 ms. */
  timeoutMs?: number;
}

export type NotifierFactory<TConfig> = (
  config: TConfig,
  context: NotifierContext,
) => OutboxDeliverer;
