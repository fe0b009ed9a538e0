import { fireEvent, screen, waitFor } from '@testing-library/react';
import { renderSlo } from '../__testUtils__/render';
import {
  OBJECTIVE_ID,
  makeSeries,
  responseError,
  stubSloApi,
} from '../testing/fixtures';

// Their own tests cover these; the page test looks at the numbers and charts.
jest.mock('./objective/AlertHistory', () => ({
  AlertHistory: () => <div>alert history</div>,
}));
jest.mock('./objective/RulesCard', () => ({
  RulesCard: () => <div>rules</div>,
}));
jest.mock('./objective/SourceCard', () => ({
  SourceCard: () => <div>source</div>,
}));

function referenceLabels(chart: string): string[] {
  const figure = screen.getByRole('figure', { name: chart });
  // Recharts draws the labels of reference lines in a layer of their own.
  return Array.from(figure.querySelectorAll('.recharts-label')).map(
    label => label.textContent ?? '',
  );
}

const path = `/slo/objectives/${encodeURIComponent(OBJECTIVE_ID)}`;

describe('ObjectivePage', () => {
  it('shows the numbers, the charts with their threshold labels, and a no-traffic note', async () => {
    const api = stubSloApi();
    await renderSlo(api, path);

    expect(await screen.findByText('Time to exhaustion')).toBeInTheDocument();
    expect(api.getObjective).toHaveBeenCalledWith(OBJECTIVE_ID);
    expect(screen.getByLabelText('SLI')).toHaveTextContent('99.950%');
    expect(screen.getByLabelText('Target')).toHaveTextContent('99.90%');
    expect(screen.getByLabelText('Budget remaining')).toHaveTextContent(
      '80.0% left',
    );
    expect(screen.getByLabelText('Time to exhaustion')).toHaveTextContent(
      'not burning',
    );

    expect(await screen.findAllByRole('figure')).toHaveLength(3);
    expect(api.getSeries).toHaveBeenCalledWith(
      OBJECTIVE_ID,
      expect.objectContaining({ step: 15 }),
    );
    expect(
      screen.getByRole('figure', { name: 'Burn rate over time' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('figure', { name: 'Error budget remaining over time' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('figure', { name: 'SLI over time' }),
    ).toBeInTheDocument();
    // Each tier's threshold is a labelled reference line of the burn chart.
    await waitFor(() =>
      expect(referenceLabels('Burn rate over time')).toEqual(['14.4×', '6×']),
    );
    expect(referenceLabels('SLI over time')).toEqual(['target 99.90%']);
    expect(
      screen.getByText(/No traffic in part of this range/),
    ).toBeInTheDocument();

    // Another range asks the server for another step.
    fireEvent.click(screen.getByRole('button', { name: '7 days' }));
    await waitFor(() =>
      expect(api.getSeries).toHaveBeenLastCalledWith(
        OBJECTIVE_ID,
        expect.objectContaining({ step: 60 }),
      ),
    );
  });

  it('says so when the objective does not exist', async () => {
    await renderSlo(
      stubSloApi({
        getObjective: jest
          .fn()
          .mockRejectedValue(responseError(404, 'not found')),
      }),
      path,
    );
    expect(await screen.findByText('No such objective')).toBeInTheDocument();
  });

  it('notes when the whole range had no traffic', async () => {
    const series = makeSeries();
    await renderSlo(
      stubSloApi({
        getSeries: jest.fn().mockResolvedValue({
          ...series,
          points: series.points.map(p => ({ ...p, sli: null })),
        }),
      }),
      path,
    );
    expect(
      await screen.findByText(
        'No traffic in this range: nothing to measure yet.',
      ),
    ).toBeInTheDocument();
  });
});
