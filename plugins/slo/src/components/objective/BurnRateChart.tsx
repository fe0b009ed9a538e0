import type { SloSeries } from '@internal/plugin-slo-common';
import { useTheme } from '@material-ui/core/styles';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { formatBurn } from '../../lib/format';
import { burnRows, seriesWindows } from '../../lib/series';
import { ChartFrame } from '@internal/plugin-ops-react';
import { timeAxis, tooltipTime } from './timeAxis';

const COLORS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#9467bd',
  '#8c564b',
  '#17becf',
];

/**
 * Burn rate over time of every window the tiers use (long windows solid,
 * short ones dashed), with each tier's threshold as a labelled line. Windows
 * without traffic are gaps, not zeros.
 */
export function BurnRateChart(props: {
  series: SloSeries;
  height?: number;
  compact?: boolean;
}) {
  const { series, height = 280, compact = false } = props;
  const theme = useTheme();
  const windows = seriesWindows(series);
  const shortWindows = new Set(series.tiers.map(tier => tier.shortWindow));
  const longWindows = new Set(series.tiers.map(tier => tier.longWindow));
  return (
    <ChartFrame
      title={compact ? undefined : 'Burn rate'}
      label="Burn rate over time"
      height={height}
    >
      <LineChart
        data={burnRows(series)}
        margin={{ top: 8, right: 48, left: 0, bottom: 0 }}
      >
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis {...timeAxis(series)} hide={compact} />
        <YAxis tickFormatter={value => `${value}×`} width={48} />
        <Tooltip
          labelFormatter={tooltipTime}
          formatter={value => formatBurn(value as number | null)}
        />
        {!compact && <Legend />}
        {windows.map((window, index) => (
          <Line
            key={window}
            type="monotone"
            dataKey={`burn:${window}`}
            name={`${window}${longWindows.has(window) ? ' (long)' : ''}${
              shortWindows.has(window) && !longWindows.has(window)
                ? ' (short)'
                : ''
            }`}
            stroke={COLORS[index % COLORS.length]}
            strokeDasharray={
              shortWindows.has(window) && !longWindows.has(window)
                ? '4 3'
                : undefined
            }
            dot={false}
            connectNulls={false}
            isAnimationActive={false}
          />
        ))}
        {series.tiers.map(tier => (
          <ReferenceLine
            key={tier.name}
            y={tier.threshold}
            stroke={
              tier.severity === 'page'
                ? theme.palette.error.main
                : theme.palette.warning.main
            }
            strokeDasharray="6 3"
            ifOverflow="extendDomain"
            label={{
              value: `${formatBurn(tier.threshold)}`,
              position: 'right',
              fontSize: 11,
            }}
          />
        ))}
      </LineChart>
    </ChartFrame>
  );
}
