import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderSlo } from '../__testUtils__/render';
import {
  makeObjective,
  makeStatus,
  page,
  responseError,
  stubSloApi,
} from '../testing/fixtures';

describe('SloPage', () => {
  it('says so in demo mode, with the way to the demo sink', async () => {
    await renderSlo(
      stubSloApi({ getSettings: jest.fn().mockResolvedValue({ demo: true }) }),
    );
    expect(
      await screen.findByText(/^Demo mode: the traffic/),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Demo sink' })).toHaveAttribute(
      'href',
      '/slo/demo-sink',
    );
  });

  it('lists every objective with its numbers, linking to its page and its service', async () => {
    const api = stubSloApi({
      listObjectives: jest.fn().mockResolvedValue(
        page([
          makeObjective(),
          makeObjective({
            id: 'search:latency',
            name: 'search-latency',
            displayName: 'Search latency',
            entityRef: undefined,
            owner: undefined,
            service: 'search',
            state: 'exhausted',
            status: makeStatus({ budgetRemaining: -0.25, sli: 0.98 }),
          }),
        ]),
      ),
    });
    await renderSlo(api);

    const link = await screen.findByRole('link', {
      name: 'Checkout availability',
    });
    expect(link).toHaveAttribute(
      'href',
      `/slo/objectives/${encodeURIComponent(
        'checkout:availability:region=eu,tier=gold',
      )}`,
    );
    expect(api.listObjectives).toHaveBeenCalledWith({ limit: 25, offset: 0 });

    const row = link.closest('tr')!;
    expect(within(row).getByRole('link', { name: 'checkout' })).toHaveAttribute(
      'href',
      '/catalog/default/component/checkout',
    );
    expect(row).toHaveTextContent('99.90%');
    expect(row).toHaveTextContent('30d rolling');
    expect(row).toHaveTextContent('99.950%');
    expect(row).toHaveTextContent('80.0% left');
    expect(row).toHaveTextContent('1h/5m: 0.4× / 0.5×');
    expect(row).toHaveTextContent('(≥ 14.4×)');
    expect(row).toHaveTextContent('6h/30m: 0.2× / 0.3×');
    expect(row).toHaveTextContent('ok');

    const other = screen.getByText('Search latency').closest('tr')!;
    expect(other).toHaveTextContent('-25.0% (overspent)');
    expect(other).toHaveTextContent('exhausted');
    expect(other).toHaveTextContent('search');
  });

  it('sends the filters and the sort order to the server', async () => {
    const api = stubSloApi();
    await renderSlo(api);
    await screen.findByText('No objectives yet');

    fireEvent.change(screen.getByLabelText('State'), {
      target: { value: 'firing' },
    });
    fireEvent.change(screen.getByLabelText('Owner'), {
      target: { value: 'group:default/payments' },
    });
    fireEvent.change(screen.getByLabelText('Search'), {
      target: { value: 'checkout' },
    });
    fireEvent.change(screen.getByLabelText('Sort'), {
      target: { value: 'budget:asc' },
    });

    await waitFor(() =>
      expect(api.listObjectives).toHaveBeenLastCalledWith({
        limit: 25,
        offset: 0,
        state: 'firing',
        owner: 'group:default/payments',
        q: 'checkout',
        sort: 'budget',
        order: 'asc',
      }),
    );
    expect(
      await screen.findByText('No objective matches these filters.'),
    ).toBeInTheDocument();
  });

  it('shows the labelled empty state when there are no objectives', async () => {
    await renderSlo(stubSloApi());
    expect(await screen.findByText('No objectives yet')).toBeInTheDocument();
    expect(
      screen.getByText(/annotate a component with slo.ops.portal\/objectives/),
    ).toBeInTheDocument();
    expect(screen.queryByText(/^Problems/)).not.toBeInTheDocument();
    // Not in demo mode: no demo banner, no demo sink.
    expect(screen.queryByText(/^Demo mode/)).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Demo sink' }),
    ).not.toBeInTheDocument();
  });

  it("shows the backend's error when the objectives cannot be loaded", async () => {
    await renderSlo(
      stubSloApi({
        listObjectives: jest
          .fn()
          .mockRejectedValue(responseError(500, 'database is down')),
      }),
    );
    expect(
      await screen.findByText(/Could not load objectives/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Try again' }),
    ).toBeInTheDocument();
  });

  it('lists the objective files that could not be read', async () => {
    await renderSlo(
      stubSloApi({
        listProblems: jest.fn().mockResolvedValue(
          page([
            {
              file: 'slo/payments.yaml',
              line: 12,
              path: 'spec.objectives[0].target',
              message: 'must be below 1',
              entityRef: 'component:default/payments',
            },
          ]),
        ),
      }),
    );
    expect(await screen.findByText('Problems (1)')).toBeInTheDocument();
    const row = screen.getByText('slo/payments.yaml').closest('tr')!;
    expect(row).toHaveTextContent('12');
    expect(row).toHaveTextContent('spec.objectives[0].target');
    expect(row).toHaveTextContent('must be below 1');
  });
});
