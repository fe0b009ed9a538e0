import { computeSlaReport, computeSli, percentile, SlaInput } from './sla';

const H = 60 * 60 * 1000;
const now = new Date('2026-11-26T12:00:00Z');
const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * H);

function exportEU(
  createdHoursAgo: number,
  tookHours: number | null,
  state = tookHours === null ? 'queued' : 'completed',
): SlaInput {
  const createdAt = at(createdHoursAgo);
  return {
    type: 'export',
    region: 'EU',
    state: state as SlaInput['state'],
    createdAt,
    completedAt:
      tookHours === null ? null : new Date(createdAt.getTime() + tookHours * H),
    slaDueAt: new Date(createdAt.getTime() + 24 * H),
  };
}

describe('computeSlaReport', () => {
  it('counts completions within SLA and open breaches against the objective', () => {
    const report = computeSlaReport(
      [
        exportEU(100, 2),
        exportEU(90, 10),
        exportEU(80, 30), // completed late
        exportEU(50, null), // open and past its SLA: a breach
        exportEU(1, null), // open, not yet due
      ],
      now,
      { windowDays: 30, objective: 0.95 },
    );
    const row = report.rows.find(
      r => r.type === 'export' && r.region === 'EU',
    )!;
    expect(row.total).toBe(4);
    expect(row.withinSla).toBe(2);
    expect(row.compliance).toBe(0.5);
    expect(row.burnRate).toBeCloseTo(10);
    expect(row.p50Hours).toBe(10);
    expect(row.p95Hours).toBe(30);
  });

  it('flags open requests whose typical completion would breach', () => {
    const report = computeSlaReport(
      [
        exportEU(200, 20),
        exportEU(150, 20),
        exportEU(10, null),
        exportEU(1, null),
      ],
      now,
      { windowDays: 30, objective: 0.95 },
    );
    const row = report.rows.find(
      r => r.type === 'export' && r.region === 'EU',
    )!;
    // p50 is 20 h: the request received 10 h ago is expected at 10 h from now (due in 14 h): fine;
    // none is projected past 24 h.
    expect(row.atRisk).toBe(0);
    // Historically 30 h: a request received 3 h ago is expected 27 h from now, past its SLA.
    const slow = computeSlaReport(
      [exportEU(200, 30), exportEU(150, 30), exportEU(3, null)],
      now,
      { windowDays: 30, objective: 0.95 },
    );
    expect(
      slow.rows.find(r => r.type === 'export' && r.region === 'EU')!.atRisk,
    ).toBe(1);
  });

  it('shows no data, not 100%, for a region without requests', () => {
    const report = computeSlaReport([], now, {
      windowDays: 30,
      objective: 0.95,
    });
    expect(report.rows).toHaveLength(8);
    expect(
      report.rows.every(
        r => r.compliance === null && r.total === 0 && r.burnRate === null,
      ),
    ).toBe(true);
  });

  it('takes nearest-rank percentiles', () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([], 50)).toBeNull();
  });
});

describe('computeSli', () => {
  it('counts each request once, when it is decided in the window', () => {
    const window = { start: at(6), end: now };
    const sli = computeSli(
      [
        exportEU(10, 5), // completed 5 h ago, in SLA: good
        exportEU(40, 37), // completed 3 h ago, late: bad
        exportEU(27, null), // deadline passed 3 h ago, still open: bad
        exportEU(30, 2), // completed 28 h ago: outside the window
        exportEU(2, null), // not decided yet
        { ...exportEU(28, null), state: 'canceled' }, // canceled: not counted
      ],
      window,
    );
    expect(sli).toEqual({ good: 1, total: 3 });
  });
});
