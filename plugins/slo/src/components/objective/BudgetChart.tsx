import type { SloSeries } from '@internal/plugin-slo-common';
import { useTheme } from '@material-ui/core/styles';
import {
  Area,
  AreaChart,
  CartesianGrid,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { budgetRows } from '../../lib/series';
import { ChartFrame } from '@internal/plugin-ops-react';
import { timeAxis, tooltipTime } from './timeAxis';

/** The error budget remaining across the range, in percent; below 0 it is overspent. */
export function BudgetChart(props: { series: SloSeries; height?: number }) {
  const { series, height = 220 } = props;
  const theme = useTheme();
  return (
    <ChartFrame
      title="Error budget remaining"
      label="Error budget remaining over time"
      height={height}
    >
      <AreaChart
        data={budgetRows(series)}
        margin={{ top: 8, right: 16, left: 0, bottom: 0 }}
      >
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis {...timeAxis(series)} />
        <YAxis tickFormatter={value => `${value}%`} width={48} />
        <Tooltip
          labelFormatter={tooltipTime}
          formatter={value => `${Number(value).toFixed(1)}%`}
        />
        <ReferenceLine
          y={0}
          stroke={theme.palette.error.main}
          ifOverflow="extendDomain"
        />
        <Area
          type="monotone"
          dataKey="budget"
          name="Budget remaining"
          stroke={theme.palette.primary.main}
          fill={theme.palette.primary.light}
          connectNulls={false}
          isAnimationActive={false}
        />
      </AreaChart>
    </ChartFrame>
  );
}
