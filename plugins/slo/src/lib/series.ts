import type { SloSeries } from '@internal/plugin-slo-common';

/** The distinct windows the tiers of a series draw, long ones first. */
export function seriesWindows(series: SloSeries): string[] {
  const windows: string[] = [];
  for (const tier of series.tiers) {
    for (const window of [tier.longWindow, tier.shortWindow]) {
      if (!windows.includes(window)) windows.push(window);
    }
  }
  return windows;
}

/** A chart row: the point's time in epoch ms plus one number (or null, a gap) per key. */
export type ChartRow = { at: number } & Record<string, number | null>;

/** Burn rate rows: one key per window, `burn:<window>`; null where a window had no traffic. */
export function burnRows(series: SloSeries): ChartRow[] {
  const windows = seriesWindows(series);
  return series.points.map(point => {
    const row: ChartRow = { at: Date.parse(point.at) };
    for (const window of windows) {
      const value = point.burnRates[window];
      row[`burn:${window}`] = value === undefined ? null : value;
    }
    return row;
  });
}

/** Budget rows: `budget` in percent. */
export function budgetRows(series: SloSeries): ChartRow[] {
  return series.points.map(point => ({
    at: Date.parse(point.at),
    budget: point.budgetRemaining * 100,
  }));
}

/** SLI rows: `sli` in percent, null without traffic. */
export function sliRows(series: SloSeries): ChartRow[] {
  return series.points.map(point => ({
    at: Date.parse(point.at),
    sli: point.sli === null ? null : point.sli * 100,
  }));
}

/** How many points had no traffic in the objective's window. */
export function noTrafficCount(series: SloSeries): number {
  return series.points.filter(point => point.sli === null).length;
}
