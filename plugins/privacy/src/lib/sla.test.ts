import type { SlaRow } from '@internal/plugin-privacy-common';
import { slaCountdown, summarizeSla } from './sla';

const now = Date.parse('2025-03-01T12:00:00.000Z');
const at = (hours: number) => new Date(now + hours * 3_600_000).toISOString();

describe('slaCountdown', () => {
  const open = { createdAt: at(-10), completedAt: null };

  it.each([
    [5, 'due in 5 h', 'due'],
    [3, 'due in 3 h', 'due-soon'],
    [0.5, 'due in 30 min', 'due-soon'],
    [72, 'due in 3 d', 'due'],
    [-2, 'overdue by 2 h', 'overdue'],
    [-0.25, 'overdue by 15 min', 'overdue'],
  ])('%s h before the SLA reads "%s"', (hours, text, tone) => {
    expect(
      slaCountdown({ ...open, state: 'running', slaDueAt: at(hours) }, now),
    ).toEqual({ text, tone });
  });

  it('reads "done in" the hours a completed request took', () => {
    expect(
      slaCountdown(
        {
          state: 'completed',
          createdAt: at(-10),
          completedAt: at(-6.8),
          slaDueAt: at(14),
        },
        now,
      ),
    ).toEqual({ text: 'done in 3.2 h', tone: 'done' });
    expect(
      slaCountdown(
        {
          state: 'completed',
          createdAt: at(-100),
          completedAt: at(-20),
          slaDueAt: at(-28),
        },
        now,
      ),
    ).toEqual({ text: 'done in 80.0 h', tone: 'done-late' });
  });

  it('has no countdown for a canceled request', () => {
    expect(
      slaCountdown({ ...open, state: 'canceled', slaDueAt: at(-5) }, now).text,
    ).toBe('canceled');
  });
});

function row(overrides: Partial<SlaRow>): SlaRow {
  return {
    type: 'export',
    region: 'EU',
    total: 0,
    withinSla: 0,
    compliance: null,
    objective: 0.95,
    p50Hours: null,
    p95Hours: null,
    p99Hours: null,
    atRisk: 0,
    burnRate: null,
    ...overrides,
  };
}

describe('summarizeSla', () => {
  const report = {
    windowDays: 30,
    objective: 0.95,
    rows: [
      row({ region: 'EU', total: 80, withinSla: 80, p95Hours: 4, atRisk: 1 }),
      row({ region: 'US', total: 20, withinSla: 15, p95Hours: 30, atRisk: 2 }),
      row({ type: 'delete', region: 'EU', total: 0, withinSla: 0 }),
    ],
  };

  it('adds the regions of one type up', () => {
    const sla = summarizeSla(report, 'export');
    expect(sla).toMatchObject({
      total: 100,
      withinSla: 95,
      p95Hours: 30,
      atRisk: 3,
      objective: 0.95,
    });
    expect(sla.compliance).toBeCloseTo(0.95);
    expect(sla.burnRate).toBeCloseTo(1);
  });

  it('has no compliance, p95 or burn rate when nothing was counted', () => {
    expect(summarizeSla(report, 'delete')).toMatchObject({
      total: 0,
      compliance: null,
      p95Hours: null,
      burnRate: null,
    });
    expect(
      summarizeSla({ windowDays: 30, objective: 0.95, rows: [] }, 'export')
        .compliance,
    ).toBeNull();
  });
});
