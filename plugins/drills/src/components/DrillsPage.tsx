import { OpsPage } from '@internal/plugin-ops-react';
import Box from '@material-ui/core/Box';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import type { ReactElement } from 'react';
import { Link, Route, Routes, useParams } from 'react-router-dom';
import { CalendarTab } from './calendar/CalendarTab';
import { useDrillsPaths } from './common/paths';
import { HistoryTab } from './history/HistoryTab';
import { ReportPage } from './report/ReportPage';
import { RunbookPage } from './runbooks/RunbookPage';
import { RunbooksTab } from './runbooks/RunbooksTab';
import { RunPage } from './run/RunPage';
import { RunsTab } from './runs/RunsTab';

const TABS: Array<{
  path: 'calendar' | 'runs' | 'history' | 'runbooks';
  label: string;
  element: ReactElement;
}> = [
  { path: 'calendar', label: 'Calendar', element: <CalendarTab /> },
  { path: 'runs', label: 'Runs', element: <RunsTab /> },
  { path: 'history', label: 'History', element: <HistoryTab /> },
  { path: 'runbooks', label: 'Runbooks', element: <RunbooksTab /> },
];

/** The drills page: one tab per job, each at its own address; the calendar first. */
export function DrillsHome() {
  const paths = useDrillsPaths();
  const rest = (useParams()['*'] ?? '').split('/')[0];
  const selected = Math.max(
    0,
    TABS.findIndex(tab => tab.path === rest),
  );
  return (
    <OpsPage
      title="DR drills"
      subtitle="The monthly disaster-recovery drills: calendar, runs, trends and runbooks"
    >
      <Tabs
        value={selected}
        indicatorColor="primary"
        textColor="primary"
        variant="scrollable"
        scrollButtons="auto"
        aria-label="Drills sections"
      >
        {TABS.map(tab => (
          <Tab
            key={tab.path}
            label={tab.label}
            component={Link}
            to={paths.tab(tab.path)}
          />
        ))}
      </Tabs>
      <Box mt={3}>
        <Routes>
          {TABS.map(tab => (
            <Route
              key={tab.path}
              path={`${tab.path}/*`}
              element={tab.element}
            />
          ))}
          <Route path="*" element={TABS[0].element} />
        </Routes>
      </Box>
    </OpsPage>
  );
}

/**
 * The plugin's root page: the tabs, one run at `/runs/:id`, its report at
 * `/runs/:id/report`, one runbook at `/runbooks/:id`.
 */
export function DrillsPage() {
  return (
    <Routes>
      <Route path="/runs/:id/report" element={<ReportPage />} />
      <Route path="/runs/:id" element={<RunPage />} />
      <Route path="/runbooks/:id" element={<RunbookPage />} />
      <Route path="/*" element={<DrillsHome />} />
    </Routes>
  );
}
