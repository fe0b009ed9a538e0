import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import {
  deferred,
  makeCollector,
  makeCoverage,
  makeRun,
  makeRunDetail,
  responseError,
  stubEvidenceApi,
} from '../../testing/fixtures';
import { renderWithApi } from '../../__testUtils__/render';
import { CoverageTab } from './CoverageTab';

const someCoverage = () =>
  makeCoverage({
    'CC8.1': {
      status: 'fresh',
      itemCount: 7,
      lastCollectedAt: '2026-11-30T12:00:00.000Z',
      freshUntil: '2026-12-07T12:00:00.000Z',
      collectors: ['change-management.git'],
    },
    'CC6.8': {
      status: 'stale',
      itemCount: 2,
      lastCollectedAt: '2026-10-01T12:00:00.000Z',
      freshUntil: '2026-10-08T12:00:00.000Z',
      collectors: ['sbom', 'hardening'],
    },
    'CC1.2': {
      status: 'exception',
      exception: {
        id: 'e1',
        point: 'CC1.2',
        reason: 'No board yet: a startup of four people',
        approver: 'user:default/ceo',
        createdBy: 'user:default/guest',
        createdAt: '2026-11-01T00:00:00.000Z',
        expiresAt: '2027-03-31T23:59:59.999Z',
        revokedAt: null,
      },
    },
  });

function groupCount(status: string) {
  return within(screen.getByRole('group', { name: `${status} points` }))
    .getByText(/^\d+$/)
    .textContent;
}

function expand(criterion: RegExp) {
  fireEvent.click(screen.getByLabelText(criterion));
}

describe('CoverageTab', () => {
  it('shows the counts per status and each point as the API reports it', async () => {
    const api = stubEvidenceApi({
      getCoverage: jest.fn().mockResolvedValue(someCoverage()),
      listCollectors: jest.fn().mockResolvedValue([makeCollector()]),
    });
    await renderWithApi(api, <CoverageTab />);

    expect(await screen.findByText('Coverage')).toBeInTheDocument();
    expect(groupCount('fresh')).toBe('1');
    expect(groupCount('stale')).toBe('1');
    expect(groupCount('missing')).toBe('30');
    expect(groupCount('exception')).toBe('1');
    expect(
      screen.getByText(
        '1 of 33 points covered by fresh evidence; 1 under an exception, counted apart.',
      ),
    ).toBeInTheDocument();
    // The bar of a criterion says its counts in words too.
    expect(
      screen.getAllByLabelText('CC6: 0 fresh, 1 stale, 7 missing, 0 exception'),
    ).toHaveLength(2);
    expect(screen.queryByText(/No evidence collected yet/)).not.toBeInTheDocument();

    expand(/^CC8 Change management/);
    const cc81 = await screen.findByTestId('point-CC8.1');
    expect(within(cc81).getByText('fresh')).toBeInTheDocument();
    expect(within(cc81).getByText('7')).toBeInTheDocument();
    // Its collector is not installed: no button to press.
    expect(within(cc81).getByText('no collector installed')).toBeInTheDocument();

    expand(/^CC6 Logical and physical access/);
    const cc68 = await screen.findByTestId('point-CC6.8');
    expect(within(cc68).getByText('stale')).toBeInTheDocument();
    expect(within(cc68).getByText('2')).toBeInTheDocument();
    expect(
      within(cc68).getByRole('button', { name: 'Collect now: SBOM' }),
    ).toBeEnabled();
    expect(within(screen.getByTestId('point-CC6.1')).getByText('missing')).toBeInTheDocument();
    expect(within(screen.getByTestId('point-CC6.1')).getByText('upload only')).toBeInTheDocument();

    expand(/^CC1 Control environment/);
    const cc12 = await screen.findByTestId('point-CC1.2');
    expect(within(cc12).getByText('exception')).toBeInTheDocument();
    expect(cc12).toHaveTextContent(
      'approved by user:default/ceo: No board yet: a startup of four people',
    );
  });

  it('says so honestly when nothing has been collected', async () => {
    const api = stubEvidenceApi();
    await renderWithApi(api, <CoverageTab />);

    expect(
      await screen.findByText(/No evidence collected yet/),
    ).toBeInTheDocument();
    expect(groupCount('missing')).toBe('33');
    expect(groupCount('fresh')).toBe('0');
  });

  it('shows an empty state when the backend serves no criteria', async () => {
    const api = stubEvidenceApi({
      getCoverage: jest.fn().mockResolvedValue({
        at: '2026-12-01T10:00:00.000Z',
        criteria: [],
        counts: { fresh: 0, stale: 0, missing: 0, exception: 0 },
      }),
    });
    await renderWithApi(api, <CoverageTab />);
    expect(await screen.findByText('No criteria configured')).toBeInTheDocument();
  });

  it('shows the backend error and loads again on Try again', async () => {
    const api = stubEvidenceApi({
      getCoverage: jest
        .fn()
        .mockRejectedValueOnce(responseError(500, 'database is down'))
        .mockResolvedValue(someCoverage()),
    });
    await renderWithApi(api, <CoverageTab />);

    expect(await screen.findByText(/Could not load coverage/)).toBeInTheDocument();
    expect(
      screen.getByText('Request failed with 500, database is down'),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('Coverage')).toBeInTheDocument();
    expect(api.getCoverage).toHaveBeenCalledTimes(2);
  });

  it('collects now: starts the run, follows it until it finishes, then reloads coverage', async () => {
    const finished = deferred<ReturnType<typeof makeRunDetail>>();
    const api = stubEvidenceApi({
      getCoverage: jest.fn().mockResolvedValue(someCoverage()),
      listCollectors: jest.fn().mockResolvedValue([makeCollector()]),
      runCollector: jest.fn().mockResolvedValue(makeRun({ id: 'run-1' })),
      getRun: jest
        .fn()
        .mockResolvedValueOnce(makeRunDetail({ id: 'run-1' }))
        .mockReturnValueOnce(finished.promise),
    });
    await renderWithApi(api, <CoverageTab />);
    await screen.findByText('Coverage');
    expand(/^CC6 Logical and physical access/);
    const cc68 = await screen.findByTestId('point-CC6.8');
    fireEvent.click(within(cc68).getByRole('button', { name: 'Collect now: SBOM' }));

    const status = await screen.findByLabelText('Run of SBOM');
    expect(status).toHaveAttribute('role', 'status');
    expect(api.runCollector).toHaveBeenCalledWith('sbom');
    expect(within(status).getByText('running')).toBeInTheDocument();
    expect(within(status).getByText('collecting…')).toBeInTheDocument();
    expect(within(status).getByRole('link', { name: 'Log' })).toHaveAttribute(
      'href',
      '/evidence/runs/run-1',
    );
    // While it runs, the collector's buttons wait.
    expect(
      within(screen.getByTestId('point-CC6.8')).getByRole('button', {
        name: 'Collecting: SBOM',
      }),
    ).toBeDisabled();
    await waitFor(() => expect(api.getRun).toHaveBeenCalledTimes(2));
    expect(api.getRun).toHaveBeenCalledWith('run-1');
    expect(api.getCoverage).toHaveBeenCalledTimes(1);

    finished.resolve(
      makeRunDetail({
        id: 'run-1',
        state: 'succeeded',
        itemCount: 1,
        finishedAt: '2026-12-01T10:00:05.000Z',
      }),
    );
    expect(await within(status).findByText('1 item filed')).toBeInTheDocument();
    expect(within(status).getByText('succeeded')).toBeInTheDocument();
    await waitFor(() => expect(api.getCoverage).toHaveBeenCalledTimes(2));
    expect(
      within(screen.getByTestId('point-CC6.8')).getByRole('button', {
        name: 'Collect now: SBOM',
      }),
    ).toBeEnabled();
    expect(api.getRun).toHaveBeenCalledTimes(2);
  });

  it('shows why a collection could not start', async () => {
    const api = stubEvidenceApi({
      getCoverage: jest.fn().mockResolvedValue(someCoverage()),
      listCollectors: jest.fn().mockResolvedValue([makeCollector()]),
      runCollector: jest
        .fn()
        .mockRejectedValue(responseError(403, 'evidence.collector.run denied')),
    });
    await renderWithApi(api, <CoverageTab />);
    await screen.findByText('Coverage');
    expand(/^CC6 Logical and physical access/);
    fireEvent.click(
      within(await screen.findByTestId('point-CC6.8')).getByRole('button', {
        name: 'Collect now: SBOM',
      }),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not start sbom: Not permitted: evidence.collector.run denied',
    );
  });
});
