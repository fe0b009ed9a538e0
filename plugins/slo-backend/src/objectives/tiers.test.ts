import type { Objective } from '@internal/plugin-slo-common';
import { parseOpenSloText } from '../openslo';
import { pushObjectiveYaml } from '../testing/sloTestDatabase';
import { engineWindow, resolveTiers, windowLabel } from './tiers';

const routing = {
  page: ['pager'],
  ticket: ['tickets'],
  owners: { 'group:default/payments': { page: ['payments-pager'] } },
};

function objectiveOf(text: string): Objective {
  const { objectives, errors } = parseOpenSloText(text, 'test.yaml');
  expect(errors).toEqual([]);
  return objectives[0];
}

const withPolicies = (enabled: boolean) => `${pushObjectiveYaml(
  'api',
)}  alertPolicies:
    - kind: AlertPolicy
      metadata:
        name: fast
      spec:
        alertWhenBreaching: ${enabled}
        conditions:
          - kind: AlertCondition
            metadata:
              name: fast-burn
            spec:
              severity: critical
              condition: { kind: burnrate, op: gte, threshold: 10, lookbackWindow: 2h, alertAfter: 10m }
        notificationTargets:
          - kind: AlertNotificationTarget
            metadata:
              name: oncall
            spec:
              target: PagerDuty
`;

describe('resolveTiers', () => {
  it('gives an objective without policies the default tiers as budget shares of its period, routed by severity', () => {
    const objective = objectiveOf(pushObjectiveYaml('api', { window: '7d' }));
    const window = engineWindow(objective.window);
    if ('unsupported' in window) throw new Error(window.unsupported);
    const tiers = resolveTiers(objective, window, routing);
    // 2% of 7 days in 1h is 3.36×; 5% in 6h 1.4; 10% in 1d 0.7; 10% in 3d 0.2333.
    expect(tiers.map(t => [t.name, t.threshold, t.targets])).toEqual([
      ['page-1h', expect.closeTo(3.36, 9), ['pager']],
      ['page-6h', expect.closeTo(1.4, 9), ['pager']],
      ['ticket-1d', expect.closeTo(0.7, 9), ['tickets']],
      ['ticket-3d', expect.closeTo(0.7 / 3, 9), ['tickets']],
    ]);
    expect(
      resolveTiers(objective, window, routing, 'group:default/payments').map(
        t => t.targets,
      ),
    ).toEqual([
      ['payments-pager'],
      ['payments-pager'],
      ['tickets'],
      ['tickets'],
    ]);
  });

  it('takes the tiers of alert policies instead, with a short window of 1/12, and none of a policy turned off', () => {
    const on = objectiveOf(withPolicies(true));
    const window = engineWindow(on.window);
    if ('unsupported' in window) throw new Error(window.unsupported);
    expect(resolveTiers(on, window, routing)).toEqual([
      {
        name: 'fast',
        severity: 'page',
        longWindow: '2h',
        shortWindow: '10m',
        threshold: 10,
        budgetShare: (10 * 120) / (30 * 1440),
        targets: ['oncall'],
      },
    ]);
    expect(
      resolveTiers(objectiveOf(withPolicies(false)), window, routing),
    ).toEqual([]);
  });

  it('evaluates calendar weeks and months in UTC and names what it cannot', () => {
    const calendar = (duration: string, timeZone = 'UTC') =>
      engineWindow({
        type: 'calendar',
        duration,
        count: Number(duration.slice(0, -1)),
        unit: duration.slice(-1) as 'w' | 'M' | 'Q',
        startTime: '2026-01-05 00:00:00',
        timeZone,
      });
    expect(calendar('1M')).toEqual({ kind: 'calendar', unit: 'month' });
    expect(calendar('1w')).toEqual({ kind: 'calendar', unit: 'week' });
    expect(calendar('1Q')).toEqual({
      unsupported: 'calendar window 1Q is not supported yet (1w and 1M are)',
    });
    expect(calendar('1M', 'Europe/Berlin')).toEqual({
      unsupported:
        'calendar windows are evaluated in UTC only; Europe/Berlin is not supported yet',
    });
    expect(windowLabel({ kind: 'rolling', duration: '40320m' })).toBe(
      '28d rolling',
    );
    expect(windowLabel({ kind: 'calendar', unit: 'month' })).toBe(
      'calendar month',
    );
  });
});
