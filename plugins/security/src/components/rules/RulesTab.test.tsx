import { screen, within } from '@testing-library/react';
import {
  fakeSecurityApi,
  pipelineStats,
  renderSecurity,
  responseError,
  ruleInfo,
} from '../__testUtils__/fakeApi';

describe('RulesTab', () => {
  it('shows each rule with its settings and live counters', async () => {
    const api = fakeSecurityApi({
      listRules: jest.fn().mockResolvedValue({
        rules: [
          ruleInfo(),
          ruleInfo({
            id: 'privileged-after-hours',
            title: 'Privileged action after hours',
            severity: 'critical',
            threshold: 1,
            windowSeconds: 3600,
            groupBy: ['user.id', 'user.name'],
            timeOfDay: {
              from: '22:00',
              to: '06:00',
              timezone: 'Europe/Berlin',
            },
            stats: {
              matched: 1200,
              alerts: 1,
              keys: 1,
              suppressed: 0,
              evicted: 0,
            },
          }),
        ],
      }),
    });
    await renderSecurity(api, '/security/rules');

    const bruteForce = (await screen.findByText('brute-force')).closest('tr')!;
    expect(
      within(bruteForce).getByText('5 events in 5 min'),
    ).toBeInTheDocument();
    expect(
      within(bruteForce).getByText('source.ip, client.ip'),
    ).toBeInTheDocument();
    expect(within(bruteForce).getByText('Any time')).toBeInTheDocument();
    expect(within(bruteForce).getByText('42')).toBeInTheDocument();

    const afterHours = screen
      .getByText('privileged-after-hours')
      .closest('tr')!;
    expect(within(afterHours).getByText('1 events in 1 h')).toBeInTheDocument();
    expect(
      within(afterHours).getByText('22:00–06:00 Europe/Berlin'),
    ).toBeInTheDocument();
    expect(within(afterHours).getByText('1,200')).toBeInTheDocument();
    expect(within(afterHours).getByText('critical')).toBeInTheDocument();
  });

  it('shows the pipeline counters and what they mean', async () => {
    const api = fakeSecurityApi({
      getPipeline: jest.fn().mockResolvedValue(
        pipelineStats({
          entries: 5000,
          events: 1234,
          dropped: 17,
          late: 3,
          pendingEvents: 4321,
          eventsDropped: 876,
          streamLag: 37,
          detectorRunAt: '2026-12-02T14:05:00.000Z',
        }),
      ),
    });
    await renderSecurity(api, '/security/rules');

    expect(await screen.findByText('5,000')).toBeInTheDocument();
    expect(screen.getByText('1,234')).toBeInTheDocument();
    expect(screen.getByText('Events the rules saw')).toBeInTheDocument();
    expect(
      screen.getByText('not-security-relevant: 3,700, unreadable: 66'),
    ).toBeInTheDocument();
    expect(screen.getByText('17')).toBeInTheDocument();
    expect(screen.getByText(/alerts may be missing/)).toBeInTheDocument();
    expect(screen.getByText('Events waiting to be stored')).toBeInTheDocument();
    expect(screen.getByText('4,321')).toBeInTheDocument();
    expect(
      screen.getByText('Stream events the rules have not read'),
    ).toBeInTheDocument();
    expect(screen.getByText('37')).toBeInTheDocument();
    expect(screen.getByText('Events dropped unstored')).toBeInTheDocument();
    expect(screen.getByText('876')).toBeInTheDocument();
    expect(screen.getByText(/retried until stored/)).toBeInTheDocument();
  });

  it('shows load errors of the rules and the pipeline', async () => {
    const api = fakeSecurityApi({
      listRules: jest.fn().mockRejectedValue(await responseError(500, 'boom')),
      getPipeline: jest
        .fn()
        .mockRejectedValue(await responseError(503, 'not started')),
    });
    await renderSecurity(api, '/security/rules');
    expect(
      await screen.findByText('Error: Could not load the rules'),
    ).toBeInTheDocument();
    expect(
      await screen.findByText('Error: Could not load the pipeline counters'),
    ).toBeInTheDocument();
  });

  it('says so when no rules are configured', async () => {
    const api = fakeSecurityApi({
      listRules: jest.fn().mockResolvedValue({ rules: [] }),
    });
    await renderSecurity(api, '/security/rules');
    expect(
      await screen.findByText('No rules are configured.'),
    ).toBeInTheDocument();
  });
});
