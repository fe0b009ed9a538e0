import {
  SECURITY_SEVERITIES,
  type SecurityAlertSummaryByDay,
} from '@internal/plugin-security-common';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { ChartFrame } from '@internal/plugin-ops-react';
import { SEVERITY_COLORS } from '../common/chips';

/** `2026-03-07` → `03-07`: the days are UTC days, shown as they are. */
const shortDay = (day: string) => day.slice(5);

/** Alerts raised per day, stacked by severity. */
export function AlertsChart(props: { summary: SecurityAlertSummaryByDay }) {
  return (
    <ChartFrame label="Alerts per day by severity" height={220}>
      <BarChart data={props.summary.days}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="day" tickFormatter={shortDay} />
        <YAxis allowDecimals={false} />
        <Tooltip labelFormatter={label => `${label} (UTC)`} />
        <Legend />
        {SECURITY_SEVERITIES.map(severity => (
          <Bar
            key={severity}
            dataKey={severity}
            name={severity}
            stackId="alerts"
            fill={SEVERITY_COLORS[severity]}
            isAnimationActive={false}
          />
        ))}
      </BarChart>
    </ChartFrame>
  );
}
