import { externalAlertSchema } from '@internal/plugin-slo-common';
import {
  externalDeliveries,
  externalIdempotencyKey,
  externalNotification,
} from './deliveries';

const alert = externalAlertSchema.parse({
  source: 'security',
  alertId: 'brute-force:42',
  event: 'fired',
  severity: 'page',
  title: 'Brute force',
  summary: '',
  at: '2026-12-02T10:15:00Z',
  link: '/security/alerts/42',
});

describe('external alert deliveries', () => {
  it('makes the notification: dedup key, kind, and the link in the portal', () => {
    expect(
      externalNotification(alert, { baseUrl: 'https://portal.example.com/' }),
    ).toEqual({
      ...alert,
      fields: {},
      kind: 'external',
      dedupKey: 'security:brute-force:42',
      link: 'https://portal.example.com/security/alerts/42',
    });
  });

  it('enqueues one delivery per target, keyed by source, alert, event and target', () => {
    const n = externalNotification(alert, { baseUrl: '' });
    expect(externalDeliveries(n, ['pager', 'inbox'])).toEqual([
      {
        idempotencyKey: 'external:security:brute-force:42:fired:pager',
        target: 'pager',
        payload: n,
      },
      {
        idempotencyKey: 'external:security:brute-force:42:fired:inbox',
        target: 'inbox',
        payload: n,
      },
    ]);
  });

  it('hashes an alert id that would make the key longer than the outbox takes', () => {
    const long = {
      source: 'a-forty-character-source-id-000000000000',
      alertId: 'x'.repeat(200),
      event: 'resolved' as const,
    };
    const key = externalIdempotencyKey(long, 't'.repeat(63));
    expect(key).toMatch(
      /^external:a-forty-character-source-id-0{12}:#[0-9a-f]{64}:resolved:t{63}$/,
    );
    expect(key.length).toBeLessThanOrEqual(255);
    expect(
      externalIdempotencyKey({ ...long, alertId: 'y'.repeat(200) }, 't'),
    ).not.toBe(externalIdempotencyKey(long, 't'));
  });
});
