import { screen, within } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import {
  fakeDrillsApi,
  renderDrills,
  runbookSummary,
} from '../__testUtils__/fakeApi';
import { RunbookPage } from './RunbookPage';
import { RunbooksTab } from './RunbooksTab';

describe('RunbooksTab', () => {
  it('shows the problems with file and line, and the runbooks that loaded', async () => {
    const api = fakeDrillsApi({
      listRunbooks: jest.fn().mockResolvedValue({
        runbooks: [runbookSummary()],
        problems: [
          {
            file: 'regional-failover.md',
            line: 7,
            level: 'error',
            message: 'checkpoint "promoted" has no targetMinutes',
          },
          {
            file: 'database-restore.md',
            line: 40,
            level: 'warning',
            message: 'no step reaches checkpoint "verified"',
          },
        ],
      }),
    });
    await renderDrills(api, <RunbooksTab />);

    const problems = await screen.findByRole('region', {
      name: 'Runbook problems',
    });
    expect(problems).toHaveTextContent(
      '1 runbook error: the runbooks below load, the broken ones do not',
    );
    expect(problems).toHaveTextContent(
      'error regional-failover.md:7 checkpoint "promoted" has no targetMinutes',
    );
    expect(problems).toHaveTextContent(
      'warning database-restore.md:40 no step reaches checkpoint "verified"',
    );

    const link = screen.getByRole('link', {
      name: 'Database failure and restore',
    });
    expect(link).toHaveAttribute('href', '/drills/runbooks/database-restore');
    const row = link.closest('tr') as HTMLElement;
    expect(within(row).getByText('SEV1')).toBeInTheDocument();
    expect(within(row).getByText('portal-db')).toBeInTheDocument();
    expect(within(row).getByText('8')).toBeInTheDocument();
    expect(within(row).getByText('2')).toBeInTheDocument();
  });

  it('has no problem list when every runbook is fine', async () => {
    await renderDrills(fakeDrillsApi(), <RunbooksTab />);
    expect(
      await screen.findByText('Database failure and restore'),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('region', { name: 'Runbook problems' }),
    ).not.toBeInTheDocument();
  });
});

describe('RunbookPage', () => {
  it('shows the metadata, the checkpoints with targets and the markdown', async () => {
    const { stepCount, ...summary } = runbookSummary();
    const api = fakeDrillsApi({
      getRunbook: jest.fn().mockResolvedValue({
        ...summary,
        phases: [
          {
            phase: 'detect',
            steps: [{ id: 'detect-1', text: 'Page on-call', line: 14 }],
          },
        ],
        markdown:
          '## Detect\n\n- [ ] Page on-call\n\n| Signal | Where |\n|---|---|\n| replica lag | Grafana |\n',
      }),
    });
    await renderDrills(
      api,
      <Routes>
        <Route path="runbooks/:id" element={<RunbookPage />} />
      </Routes>,
      '/drills/runbooks/database-restore',
    );
    expect(
      await screen.findByRole('heading', { name: 'Detect' }),
    ).toBeInTheDocument();
    expect(api.getRunbook).toHaveBeenCalledWith('database-restore');
    expect(screen.getByText('within 5 min of the start')).toBeInTheDocument();
    expect(screen.getByText('within 45 min of the start')).toBeInTheDocument();
    expect(screen.getByText('group:default/drill-leads')).toBeInTheDocument();
    // GitHub-flavoured: task lists and tables.
    expect(screen.getByRole('checkbox')).toBeInTheDocument();
    expect(
      screen.getByRole('cell', { name: 'replica lag' }),
    ).toBeInTheDocument();
  });
});
