export function formatTick(ms: number, spanMinutes: number): string {
  const date = new Date(ms);
  if (spanMinutes > 2 * 24 * 60) {
    return date.toLocaleDateString(undefined, {
      month: 'short',
      day: 'numeric',
    });
  }
  return date.toLocaleTimeString(undefined, {
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** How long a series spans, in minutes. */
export function spanOf(series: { from: string; to: string }): number {
  return (Date.parse(series.to) - Date.parse(series.from)) / 60_000;
}

/** The time axis every chart shares (epoch ms, ticks that suit the range): spread into `<XAxis>`. */
export function timeAxis(series: { from: string; to: string }) {
  const span = spanOf(series);
  return {
    dataKey: 'at',
    type: 'number' as const,
    scale: 'time' as const,
    domain: ['dataMin', 'dataMax'],
    tickFormatter: (ms: number) => formatTick(ms, span),
  };
}

/** A chart tooltip's heading: the point's time. */
export const tooltipTime = (ms: unknown) =>
  new Date(Number(ms)).toLocaleString();
