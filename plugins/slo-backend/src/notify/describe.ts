import { createHash } from 'node:crypto';
import type {
  ExternalAlertNotification,
  OpsAlertNotification,
  SloAlertNotification,
} from '@internal/plugin-slo-common';

/**
 * What every notifier says of an alert, whichever kind: SLO alerts of this
 * plugin, or external alerts other plugins hand it (`kind: 'external'`).
 */
export interface AlertDescription {
  /**
   * The key links, labels and markers use: an SLO alert's id, or for an
   * external alert `external:` and a hash of its dedup key (at most 36
   * characters, as `slo_alert_links.alert_id` holds; never an SLO alert id).
   */
  key: string;
  /** One line, e.g. `[page] Checkout availability: burning error budget (fast-burn)`. */
  title: string;
  /** A sentence describing the event, for comments and updates. */
  summary: string;
  severity: 'page' | 'ticket';
  /** The alert's page in the portal. */
  link: string;
}

/** `0.25` → `25%`; burn rates as `14.4×`, `n/a` without traffic. */
export function formatBudget(ratio: number): string {
  return `${Math.round(ratio * 1000) / 10}%`;
}

export function formatBurnRate(rate: number | null): string {
  return rate === null ? 'n/a' : `${Math.round(rate * 100) / 100}×`;
}

/** One line naming the alert, e.g. `[page] Checkout availability: burning error budget (fast-burn)`. */
export function alertTitle(n: SloAlertNotification): string {
  const what: Record<SloAlertNotification['event'], string> = {
    fired: 'burning error budget',
    resolved: 'resolved',
    acknowledged: 'acknowledged',
    silenced: 'silenced',
  };
  return `[${n.tier.severity}] ${n.objective.displayName}: ${what[n.event]} (${
    n.tier.name
  })`;
}

/** A sentence describing the event, for comments and updates. */
export function eventText(n: SloAlertNotification): string {
  const actor = n.actor
    ? ` by ${n.actor.by}${n.actor.reason ? `: ${n.actor.reason}` : ''}`
    : '';
  switch (n.event) {
    case 'fired':
      return `SLO alert fired at ${n.at}: ${n.objective.displayName} (${
        n.objective.service
      }) burns its error budget at ${formatBurnRate(n.burnRates.long)} over ${
        n.tier.longWindow
      } and ${formatBurnRate(n.burnRates.short)} over ${
        n.tier.shortWindow
      } (threshold ${n.tier.threshold}×); ${formatBudget(
        n.budgetRemaining,
      )} of the budget remains.`;
    case 'resolved':
      return `SLO alert resolved at ${n.at}; ${formatBudget(
        n.budgetRemaining,
      )} of the budget remains.`;
    case 'acknowledged':
      return `SLO alert acknowledged at ${n.at}${actor}.`;
    default:
      return `SLO alert silenced at ${n.at}${actor}${
        n.actor?.until ? ` until ${n.actor.until}` : ''
      }.`;
  }
}

/** The link-store key of an external alert (see `AlertDescription.key`). */
export function externalAlertKey(dedupKey: string): string {
  const hash = createHash('sha256').update(dedupKey).digest('hex');
  return `external:${hash.slice(0, 27)}`;
}

const capitalized = (text: string) =>
  text.charAt(0).toUpperCase() + text.slice(1);

/** An external alert's facts beside its summary: source, service, entity, then its own fields. */
export function externalFacts(
  n: ExternalAlertNotification,
): Array<{ label: string; value: string }> {
  return [
    { label: 'Source', value: n.source },
    ...(n.service ? [{ label: 'Service', value: n.service }] : []),
    ...(n.entityRef ? [{ label: 'Entity', value: n.entityRef }] : []),
    ...Object.entries(n.fields).map(([label, value]) => ({ label, value })),
  ];
}

/** Title, summary, severity, link and link-store key of either kind of alert. */
export function describeAlert(n: OpsAlertNotification): AlertDescription {
  if (n.kind === 'external') {
    const head = `${capitalized(n.source)} alert ${n.event} at ${n.at}`;
    return {
      key: externalAlertKey(n.dedupKey),
      title: `[${n.severity}] ${n.title}${
        n.event === 'resolved' ? ': resolved' : ''
      }`,
      summary: n.summary ? `${head}: ${n.summary}` : `${head}.`,
      severity: n.severity,
      link: n.link,
    };
  }
  return {
    key: n.alertId,
    title: alertTitle(n),
    summary: eventText(n),
    severity: n.tier.severity,
    link: n.links.objective,
  };
}

/** Whether a link is absolute (vendors take only those as link targets). */
export const isAbsoluteUrl = (link: string) => /^https?:\/\//i.test(link);
