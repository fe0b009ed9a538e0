import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import type { ReactElement } from 'react';
import { ResponsiveContainer } from 'recharts';

/**
 * A chart as wide as its parent. Until the browser has measured the parent
 * (and always where nothing is measured, as in jsdom) it draws at 600 px.
 */
export function ChartFrame(props: {
  title?: string;
  height: number;
  label: string;
  children: ReactElement;
}) {
  return (
    <Box role="figure" aria-label={props.label} data-testid="slo-chart">
      {props.title && (
        <Typography variant="subtitle2" gutterBottom>
          {props.title}
        </Typography>
      )}
      <ResponsiveContainer
        width="100%"
        height={props.height}
        initialDimension={{ width: 600, height: props.height }}
      >
        {props.children}
      </ResponsiveContainer>
    </Box>
  );
}

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
