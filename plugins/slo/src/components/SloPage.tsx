import { OpsPage } from '@internal/plugin-ops-react';
import { ObjectivesTable } from './ObjectivesTable';

/** Every service's objectives. */
export function SloPage() {
  return (
    <OpsPage
      title="Service level objectives"
      subtitle="Objectives, error budgets and burn-rate alerts of every service"
    >
      <ObjectivesTable />
    </OpsPage>
  );
}
