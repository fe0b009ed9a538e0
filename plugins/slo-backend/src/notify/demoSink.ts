import {
  readPage,
  type DeliveryAttempt,
  type OutboxDeliverer,
  type Page,
  type PageQuery,
} from '@internal/plugin-ops-node';
import type {
  OpsAlertNotification,
  SloDemoSinkEntry,
} from '@internal/plugin-slo-common';
import type { Knex } from 'knex';
import { RenderedRequest, readNotification, settle } from './http';

const TABLE = 'slo_demo_sink';

interface DemoSinkRow {
  id: number | string;
  target: string;
  type: string;
  request: string;
  received_at: Date | string | number;
}

/** The `slo_demo_sink` table: what targets would have sent in demo mode. */
export class DemoSinkStore {
  constructor(
    private readonly db: Knex,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Records an entry once per delivery: a retried delivery adds nothing. */
  async add(
    idempotencyKey: string,
    entry: Omit<SloDemoSinkEntry, 'id' | 'receivedAt'>,
  ): Promise<void> {
    await this.db(TABLE)
      .insert({
        idempotency_key: idempotencyKey,
        target: entry.target,
        type: entry.type,
        request: JSON.stringify(entry.request),
        received_at: this.now(),
      })
      .onConflict('idempotency_key')
      .ignore();
  }

  /** Newest first. */
  async list(page: PageQuery): Promise<Page<SloDemoSinkEntry>> {
    return readPage<DemoSinkRow, SloDemoSinkEntry>(this.db(TABLE), page, {
      orderBy: [{ column: 'id', order: 'desc' }],
      toItem: row => ({
        id: Number(row.id),
        target: row.target,
        type: row.type,
        request: JSON.parse(row.request),
        receivedAt: new Date(row.received_at).toISOString(),
      }),
    });
  }
}

/** `value` with every occurrence of each secret replaced by `***`. */
export function redactSecrets<T>(value: T, secrets: string[]): T {
  const real = secrets.filter(s => s.length > 0);
  if (!real.length) {
    return value;
  }
  const scrub = (item: unknown): unknown => {
    if (typeof item === 'string') {
      return real.reduce(
        (text, secret) => text.split(secret).join('***'),
        item,
      );
    }
    if (Array.isArray(item)) {
      return item.map(scrub);
    }
    if (item && typeof item === 'object') {
      return Object.fromEntries(
        Object.entries(item).map(([k, v]) => [k, scrub(v)]),
      );
    }
    return item;
  };
  return scrub(value) as T;
}

export interface DemoSinkOptions {
  store: DemoSinkStore;
  /** The target type the entries are shown as, e.g. `jira`. */
  type: string;
  /** The first request the real notifier would send (its `render…Request`). */
  render: (
    n: OpsAlertNotification,
    attempt: DeliveryAttempt,
  ) => RenderedRequest;
  /** Config values replaced by `***` wherever they appear in the request. */
  secrets?: string[];
  /** A deliverer that also runs (the portal's own inbox, which is real in demo mode too). */
  alsoDeliver?: OutboxDeliverer;
}

/**
 * A deliverer that calls no vendor: it records the request the real
 * notifier would have sent first, secrets replaced by `***`.
 */
export function demoSinkDeliverer(options: DemoSinkOptions): OutboxDeliverer {
  return {
    deliver: attempt =>
      settle(async () => {
        const n = readNotification(attempt.payload);
        const { method, path, body } = options.render(n, attempt);
        await options.store.add(attempt.idempotencyKey, {
          target: attempt.target,
          type: options.type,
          request: redactSecrets(
            { method, path, body: body ?? null },
            options.secrets ?? [],
          ),
        });
        const also = await options.alsoDeliver?.deliver(attempt);
        if (also && also.outcome !== 'delivered') return also;
        return { outcome: 'delivered' };
      }),
  };
}
