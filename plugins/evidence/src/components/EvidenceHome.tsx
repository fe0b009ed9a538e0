import { useRouteRef } from '@backstage/core-plugin-api';
import { OpsPage } from '@internal/plugin-ops-react';
import Box from '@material-ui/core/Box';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import type { ReactElement } from 'react';
import { Link, Route, Routes, useParams } from 'react-router-dom';
import { rootRouteRef } from '../routes';
import { BindersTab } from './binders/BindersTab';
import { CollectorsTab } from './collectors/CollectorsTab';
import { CoverageTab } from './coverage/CoverageTab';
import { ExceptionsTab } from './exceptions/ExceptionsTab';
import { EvidenceTab } from './items/EvidenceTab';
import { AccessReviewsTab } from './reviews/AccessReviewsTab';

const TABS: Array<{ path: string; label: string; element: ReactElement }> = [
  { path: '', label: 'Coverage', element: <CoverageTab /> },
  { path: 'evidence', label: 'Evidence', element: <EvidenceTab /> },
  { path: 'binders', label: 'Binders', element: <BindersTab /> },
  { path: 'collectors', label: 'Collectors', element: <CollectorsTab /> },
  { path: 'exceptions', label: 'Exceptions', element: <ExceptionsTab /> },
  {
    path: 'access-reviews',
    label: 'Access reviews',
    element: <AccessReviewsTab />,
  },
];

/** The evidence page: one tab per job, each at its own address below the mount path. */
export function EvidenceHome() {
  const root = useRouteRef(rootRouteRef)();
  const rest = (useParams()['*'] ?? '').split('/')[0];
  const selected = Math.max(
    0,
    TABS.findIndex(tab => tab.path === rest),
  );
  return (
    <OpsPage
      title="SOC 2 evidence"
      subtitle="Coverage of the Trust Services Criteria, the evidence behind it, and binders for the auditor"
    >
      <Tabs
        value={selected}
        indicatorColor="primary"
        textColor="primary"
        variant="scrollable"
        scrollButtons="auto"
        aria-label="Evidence sections"
      >
        {TABS.map(tab => (
          <Tab
            key={tab.path}
            label={tab.label}
            component={Link}
            to={tab.path ? `${root}/${tab.path}` : root}
          />
        ))}
      </Tabs>
      <Box mt={3}>
        <Routes>
          {TABS.map(tab => (
            <Route
              key={tab.path}
              path={tab.path ? `${tab.path}/*` : '/'}
              element={tab.element}
            />
          ))}
          <Route path="*" element={TABS[0].element} />
        </Routes>
      </Box>
    </OpsPage>
  );
}
