import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  StatusError,
  StatusOK,
  StatusPending,
  StructuredMetadataTable,
} from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import type { RequestType, SlaReport } from '@internal/plugin-privacy-common';
import { formatHours, formatPercent } from '../../lib/format';
import { summarizeSla } from '../../lib/sla';

const titles: Record<RequestType, string> = {
  export: 'Export SLA compliance',
  delete: 'Delete SLA compliance',
};

/** One request type's SLA compliance against the objective, all regions together. */
export function SlaComplianceCard(props: {
  type: RequestType;
  report?: SlaReport;
  loading: boolean;
  error?: Error;
}) {
  const { type, report, loading, error } = props;
  const title = titles[type];
  if (error) {
    return (
      <InfoCard title={title} variant="gridItem">
        <ResponseErrorPanel
          error={error}
          title="Could not load the SLA report"
        />
      </InfoCard>
    );
  }
  if (loading || !report) {
    return (
      <InfoCard title={title} variant="gridItem">
        <Progress />
      </InfoCard>
    );
  }
  const sla = summarizeSla(report, type);
  const objective = formatPercent(sla.objective);
  let status = (
    <StatusPending>no data: no {type} request counted yet</StatusPending>
  );
  if (sla.compliance !== null) {
    status =
      sla.compliance >= sla.objective ? (
        <StatusOK>meets the {objective} objective</StatusOK>
      ) : (
        <StatusError>below the {objective} objective</StatusError>
      );
  }
  return (
    <InfoCard
      title={title}
      subheader={`Last ${report.windowDays} days, objective ${objective}`}
      variant="gridItem"
    >
      <Typography variant="h3" component="p" aria-label={`${type} compliance`}>
        {formatPercent(sla.compliance)}
      </Typography>
      {status}
      <StructuredMetadataTable
        dense
        options={{ titleFormat: key => key }}
        metadata={{
          'Within SLA': `${sla.withinSla} of ${sla.total}`,
          'p95 completion': `${formatHours(sla.p95Hours)} (slowest region)`,
          'Burn rate':
            sla.burnRate === null ? '—' : `${sla.burnRate.toFixed(2)}×`,
          'At risk': `${sla.atRisk} open`,
        }}
      />
    </InfoCard>
  );
}
