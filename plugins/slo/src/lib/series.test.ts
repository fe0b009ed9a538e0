import { makeSeries } from '../testing/fixtures';
import {
  budgetRows,
  burnRows,
  noTrafficCount,
  seriesWindows,
  sliRows,
} from './series';

describe('series', () => {
  it("draws every tier's windows once, long before short", () => {
    expect(seriesWindows(makeSeries())).toEqual(['1h', '5m', '6h', '30m']);
  });

  it('keeps windows without traffic as null, so the lines show gaps', () => {
    const series = makeSeries();
    const rows = burnRows(series);
    expect(rows[3]['burn:1h']).toBeNull();
    expect(rows[3]['burn:5m']).toBeNull();
    expect(rows[2]['burn:1h']).toBe(2.5);
    expect(rows[0].at).toBe(Date.parse(series.points[0].at));
    expect(sliRows(series)[3].sli).toBeNull();
    expect(sliRows(series)[0].sli).toBeCloseTo(99.95);
    expect(budgetRows(series)[0].budget).toBeCloseTo(90);
    expect(noTrafficCount(series)).toBe(1);
  });
});
