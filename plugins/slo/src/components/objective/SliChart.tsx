import type { SloSeries } from '@internal/plugin-slo-common';
import { useTheme } from '@material-ui/core/styles';
import {
  CartesianGrid,
  Line,
  LineChart,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { formatPercent } from '../../lib/format';
import { sliRows } from '../../lib/series';
import { ChartFrame } from '@internal/plugin-ops-react';
import { timeAxis, tooltipTime } from './timeAxis';

/** The SLI over the objective's window at each point, against the target. */
export function SliChart(props: { series: SloSeries; height?: number }) {
  const { series, height = 220 } = props;
  const theme = useTheme();
  return (
    <ChartFrame
      title="SLI against the target"
      label="SLI over time"
      height={height}
    >
      <LineChart
        data={sliRows(series)}
        margin={{ top: 8, right: 72, left: 0, bottom: 0 }}
      >
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis {...timeAxis(series)} />
        <YAxis
          domain={['auto', 100]}
          tickFormatter={value => `${Number(value).toFixed(2)}%`}
          width={64}
        />
        <Tooltip
          labelFormatter={tooltipTime}
          formatter={value =>
            value === null ? '–' : `${Number(value).toFixed(3)}%`
          }
        />
        <ReferenceLine
          y={series.target * 100}
          stroke={theme.palette.error.main}
          strokeDasharray="6 3"
          ifOverflow="extendDomain"
          label={{
            value: `target ${formatPercent(series.target)}`,
            position: 'right',
            fontSize: 11,
          }}
        />
        <Line
          type="monotone"
          dataKey="sli"
          name="SLI"
          stroke={theme.palette.primary.main}
          dot={false}
          connectNulls={false}
          isAnimationActive={false}
        />
      </LineChart>
    </ChartFrame>
  );
}
