import { DEFAULT_SEVERITY_ROUTING } from '../config';
import { externalAlertSchema } from '@internal/plugin-slo-common';
import {
  externalAlertOf,
  maskAddress,
  notificationSummary,
} from './notification';

const base = {
  id: '3f1c2a9e-1111-4222-8333-444455556666',
  ruleId: 'brute-force',
  title: 'Brute force: 5 failed authentications from one IP in 5 minutes',
  severity: 'high' as const,
  groupBy: 'source.ip',
  groupKey: '203.0.113.7',
  firstAt: '2026-12-02T14:02:10.000Z',
  lastAt: '2026-12-02T14:04:40.000Z',
  count: 6,
  windowSeconds: 300,
};

describe('notification text', () => {
  it('masks IPv4 to /24 and IPv6 to /48, and nothing else', () => {
    expect(maskAddress('203.0.113.7')).toBe('203.0.113.0/24');
    expect(maskAddress('2001:db8:abcd:12::1')).toBe('2001:db8:abcd::/48');
    expect(maskAddress('2001:db8::7')).toBe('2001:db8:0::/48');
    // An IPv4 client of a dual-stack listener is an IPv4 address.
    expect(maskAddress('::ffff:203.0.113.7')).toBe('203.0.113.0/24');
    expect(maskAddress('user:default/alice')).toBeUndefined();
    expect(maskAddress('203.0.113')).toBeUndefined();
  });

  it('summarizes without the raw address or the user', () => {
    expect(notificationSummary(base)).toBe(
      '6 failed authentications from 203.0.113.0/24 between 14:02 and 14:04 UTC on 2026-12-02',
    );
    const user = notificationSummary({
      ...base,
      ruleId: 'export-anomaly',
      groupBy: 'user.id',
      groupKey: 'user:default/alice',
      count: 100,
      firstAt: '2026-12-01T20:00:00.000Z',
      lastAt: '2026-12-02T09:30:00.000Z',
    });
    expect(user).toBe(
      '100 exports or downloads by one user between 2026-12-01 20:00 and 2026-12-02 09:30 UTC',
    );
    expect(user).not.toContain('alice');
    expect(
      notificationSummary({
        ...base,
        ruleId: 'privileged-after-hours',
        groupBy: 'user.id',
        groupKey: 'user:default/alice',
        count: 1,
        lastAt: base.firstAt,
      }),
    ).toBe(
      '1 privileged ops action after hours by one user at 14:02 UTC on 2026-12-02',
    );
  });

  it('builds a body the SLO route accepts, routed by severity', () => {
    const options = {
      entityRef: 'group:default/platform',
      severities: DEFAULT_SEVERITY_ROUTING,
    };
    const fired = externalAlertOf(
      base,
      'fired',
      '2026-12-02T14:05:00.000Z',
      options,
    );
    expect(externalAlertSchema.parse(fired)).toEqual({
      source: 'security',
      alertId: base.id,
      event: 'fired',
      severity: 'page',
      title: base.title,
      summary: expect.stringContaining('203.0.113.0/24'),
      at: '2026-12-02T14:05:00.000Z',
      entityRef: 'group:default/platform',
      link: `/security/alerts/${base.id}`,
      fields: {
        rule: 'brute-force',
        severity: 'high',
        count: '6',
        window: '5 min',
      },
    });
    expect(JSON.stringify(fired)).not.toContain('203.0.113.7');
    const medium = externalAlertOf(
      { ...base, severity: 'medium' },
      'resolved',
      '2026-12-02T15:00:00.000Z',
      options,
    );
    expect(medium).toMatchObject({ severity: 'ticket', event: 'resolved' });
    expect(medium.summary).toMatch(/^Closed: /);
  });
});
