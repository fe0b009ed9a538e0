import { OpsPage } from '@internal/plugin-ops-react';
import Box from '@material-ui/core/Box';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import type { ReactElement } from 'react';
import { Link, Route, Routes, useParams } from 'react-router-dom';
import { AlertPage } from './alert/AlertPage';
import { AlertsTab } from './alerts/AlertsTab';
import { type SecurityTab, useSecurityPaths } from './common/paths';
import { RulesTab } from './rules/RulesTab';

const TABS: Array<{ path: SecurityTab; label: string; element: ReactElement }> =
  [
    { path: 'alerts', label: 'Alerts', element: <AlertsTab /> },
    { path: 'rules', label: 'Rules', element: <RulesTab /> },
  ];

/** The security page: alerts first, then the rules and the pipeline behind them. */
export function SecurityHome() {
  const paths = useSecurityPaths();
  const rest = (useParams()['*'] ?? '').split('/')[0];
  const selected = Math.max(
    0,
    TABS.findIndex(tab => tab.path === rest),
  );
  return (
    <OpsPage
      title="Security"
      subtitle="Alerts raised by the live correlation rules, with their triggering events"
    >
      <Tabs
        value={selected}
        indicatorColor="primary"
        textColor="primary"
        aria-label="Security sections"
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
            <Route key={tab.path} path={`${tab.path}`} element={tab.element} />
          ))}
          <Route path="*" element={TABS[0].element} />
        </Routes>
      </Box>
    </OpsPage>
  );
}

/** The plugin's root page: the tabs, and one alert at `/alerts/:id`. */
export function SecurityPage() {
  return (
    <Routes>
      <Route path="/alerts/:id" element={<AlertPage />} />
      <Route path="/*" element={<SecurityHome />} />
    </Routes>
  );
}
