import type { SloAlertLink } from '@internal/plugin-slo-common';
import type { AlertLinkStore } from '../../notify/types';

/** An `AlertLinkStore` in memory, for tests. */
export class MemoryAlertLinkStore implements AlertLinkStore {
  readonly links = new Map<string, SloAlertLink>();

  async get(alertId: string, target: string) {
    return this.links.get(`${alertId}\n${target}`);
  }

  async put(alertId: string, link: SloAlertLink) {
    this.links.set(`${alertId}\n${link.target}`, link);
  }

  /** The links recorded for an alert. */
  of(alertId: string): SloAlertLink[] {
    return [...this.links.entries()]
      .filter(([key]) => key.startsWith(`${alertId}\n`))
      .map(([, link]) => link);
  }
}
