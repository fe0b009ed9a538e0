import { OpsPage } from '@internal/plugin-ops-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import AddIcon from '@material-ui/icons/Add';
import { useCallback, useState } from 'react';
import { usePrivacyMetrics } from '../hooks/usePrivacyMetrics';
import { useRequestFilters } from '../hooks/useRequestFilters';
import { useRequestQueue } from '../hooks/useRequestQueue';
import { ConsentLookupCard } from './queue/ConsentLookupCard';
import { NewRequestDialog } from './queue/NewRequestDialog';
import { QueueMetricsCard } from './queue/QueueMetricsCard';
import { RequestFilters } from './queue/RequestFilters';
import { RequestsTable } from './queue/RequestsTable';
import { SlaComplianceCard } from './queue/SlaComplianceCard';

/** The DSAR queue: SLA and queue health on top, then every request, filtered and paged on the server. */
export function PrivacyPage() {
  const { filters, setFilter, query, refresh } = useRequestFilters();
  const load = useRequestQueue(query);
  const metrics = usePrivacyMetrics();
  const [dialogOpen, setDialogOpen] = useState(false);
  const { refresh: refreshMetrics } = metrics;
  const onCreated = useCallback(() => {
    setDialogOpen(false);
    refresh();
    refreshMetrics();
  }, [refresh, refreshMetrics]);
  const filtered = Object.keys(query).some(
    key => key !== 'sort' && key !== 'order',
  );

  return (
    <OpsPage
      title="Privacy requests"
      subtitle="GDPR and CCPA exports and erasures, per region, against their SLA"
      actions={
        <Button
          variant="contained"
          color="primary"
          startIcon={<AddIcon />}
          onClick={() => setDialogOpen(true)}
        >
          New request
        </Button>
      }
    >
      <Grid container spacing={3}>
        {(['export', 'delete'] as const).map(type => (
          <Grid item xs={12} md={4} key={type}>
            <SlaComplianceCard
              type={type}
              report={metrics.sla.value}
              loading={metrics.sla.loading}
              error={metrics.sla.error}
            />
          </Grid>
        ))}
        <Grid item xs={12} md={4}>
          <QueueMetricsCard
            metrics={metrics.queue.value}
            loading={metrics.queue.loading}
            error={metrics.queue.error}
          />
        </Grid>
        <Grid item xs={12}>
          <Box mb={2}>
            <RequestFilters filters={filters} onChange={setFilter} />
          </Box>
          <RequestsTable load={load} filtered={filtered} />
        </Grid>
        <Grid item xs={12}>
          <ConsentLookupCard />
        </Grid>
      </Grid>
      <NewRequestDialog
        open={dialogOpen}
        onClose={() => setDialogOpen(false)}
        onCreated={onCreated}
      />
    </OpsPage>
  );
}
