import { InfoCard } from '@backstage/core-components';
import type { ScenarioHistory } from '@internal/plugin-drills-common';
import { ChartFrame } from '@internal/plugin-ops-react';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { formatMinutes, formatPercent } from '../common/format';

const SERIES = [
  {
    key: 'timeToDetectMinutes',
    phase: 'detect',
    name: 'Time to detect',
    color: '#1f77b4',
  },
  {
    key: 'timeToRespondMinutes',
    phase: 'respond',
    name: 'Time to respond',
    color: '#ff7f0e',
  },
  {
    key: 'timeToRecoverMinutes',
    phase: 'recover',
    name: 'Time to recover',
    color: '#2ca02c',
  },
] as const;

const dayOf = (iso: string) =>
  new Date(iso).toLocaleDateString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
  });

/**
 * The targets of the phases, from the latest run (a runbook's targets can
 * change between runs; the latest is what the next drill is held to).
 */
function targetsOf(history: ScenarioHistory): Map<string, number> {
  const latest = history.runs[history.runs.length - 1];
  return new Map(
    (latest?.phases ?? []).map(phase => [phase.phase, phase.targetMinutes]),
  );
}

/** A scenario's trend: the three times per run against their targets, and the checkpoints met. */
export function ScenarioHistoryCard(props: { history: ScenarioHistory }) {
  const { history } = props;
  const targets = targetsOf(history);
  const rows = history.runs.map(run => ({
    day: dayOf(run.startedAt),
    timeToDetectMinutes: run.timeToDetectMinutes,
    timeToRespondMinutes: run.timeToRespondMinutes,
    timeToRecoverMinutes: run.timeToRecoverMinutes,
    passRate: run.passRate === null ? null : Math.round(run.passRate * 100),
  }));

  return (
    <InfoCard
      title={history.title}
      subheader={`${history.runs.length} finished ${
        history.runs.length === 1 ? 'run' : 'runs'
      }`}
    >
      <Box mb={2} aria-label="Checkpoint pass rate">
        <Typography variant="h4" component="p">
          {formatPercent(history.passRate)}
        </Typography>
        <Typography variant="body2" color="textSecondary">
          checkpoints met on time ({history.checkpointsPassed} of{' '}
          {history.checkpointsTotal})
        </Typography>
      </Box>
      <ChartFrame
        label={`Time to detect, respond and recover: ${history.title}`}
        height={260}
      >
        <LineChart
          data={rows}
          margin={{ top: 8, right: 64, left: 0, bottom: 0 }}
        >
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="day" />
          <YAxis unit=" min" width={64} />
          <Tooltip formatter={value => formatMinutes(value as number | null)} />
          <Legend />
          {SERIES.map(series => (
            <Line
              key={series.key}
              type="monotone"
              dataKey={series.key}
              name={series.name}
              stroke={series.color}
              connectNulls={false}
              isAnimationActive={false}
            />
          ))}
          {SERIES.filter(series => targets.has(series.phase)).map(series => (
            <ReferenceLine
              key={`target-${series.phase}`}
              y={targets.get(series.phase)}
              stroke={series.color}
              strokeDasharray="6 3"
              ifOverflow="extendDomain"
              label={{
                value: `${series.phase} target`,
                position: 'right',
                fontSize: 11,
              }}
            />
          ))}
        </LineChart>
      </ChartFrame>
      <ChartFrame
        label={`Checkpoint pass rate per run: ${history.title}`}
        height={160}
      >
        <BarChart
          data={rows}
          margin={{ top: 8, right: 64, left: 0, bottom: 0 }}
        >
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="day" />
          <YAxis unit="%" domain={[0, 100]} width={64} />
          <Tooltip formatter={value => (value === null ? '—' : `${value}%`)} />
          <Bar
            dataKey="passRate"
            name="Checkpoints met"
            fill="#9467bd"
            isAnimationActive={false}
          />
        </BarChart>
      </ChartFrame>
    </InfoCard>
  );
}
