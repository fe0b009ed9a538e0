import { fireEvent, screen, waitFor } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { fakeDrillsApi, renderDrills, runView } from '../__testUtils__/fakeApi';
import { ReportPage } from './ReportPage';

const page = (
  <Routes>
    <Route path="runs/:id/report" element={<ReportPage />} />
  </Routes>
);

describe('ReportPage', () => {
  it("shows a finished run's report sandboxed, with a markdown download and a way back", async () => {
    const api = fakeDrillsApi({
      getRun: jest
        .fn()
        .mockResolvedValue(
          runView({ state: 'finished', finishedAt: '2026-12-01T10:00:00Z' }),
        ),
      getReportHtml: jest
        .fn()
        .mockResolvedValue('<html><body><h1>Report</h1></body></html>'),
      getReportMarkdown: jest.fn().mockResolvedValue('# Report\n'),
    });
    const createObjectURL = jest.fn().mockReturnValue('blob:report');
    Object.assign(URL, { createObjectURL, revokeObjectURL: jest.fn() });
    await renderDrills(api, page, '/drills/runs/run-1/report');

    const frame = await screen.findByTitle(
      'Drill report: Database failure and restore',
    );
    expect(frame.tagName).toBe('IFRAME');
    expect(frame).toHaveAttribute('sandbox', '');
    expect(frame).toHaveAttribute(
      'srcdoc',
      '<html><body><h1>Report</h1></body></html>',
    );
    expect(api.getReportHtml).toHaveBeenCalledWith('run-1');
    expect(screen.getByText('Back to the run').closest('a')).toHaveAttribute(
      'href',
      '/drills/runs/run-1',
    );

    fireEvent.click(screen.getByRole('button', { name: 'Download markdown' }));
    await waitFor(() => expect(createObjectURL).toHaveBeenCalled());
    expect(api.getReportMarkdown).toHaveBeenCalledWith('run-1');
  });

  it('explains that a running drill has no report yet', async () => {
    const api = fakeDrillsApi({
      getRun: jest.fn().mockResolvedValue(runView({ state: 'running' })),
    });
    await renderDrills(api, page, '/drills/runs/run-1/report');
    expect(
      await screen.findByText(
        'The report is written when the drill is finished',
      ),
    ).toBeInTheDocument();
    expect(api.getReportHtml).not.toHaveBeenCalled();
  });
});
