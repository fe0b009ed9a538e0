import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { evidencePlugin } from './plugin';
import { itemRouteRef, rootRouteRef, runRouteRef } from './routes';
import {
  makeCollector,
  makeItem,
  makeRun,
  makeRunDetail,
  page,
  stubEvidenceApi,
} from './testing/fixtures';
import { renderEvidence } from './__testUtils__/render';

describe('evidencePlugin (legacy frontend system)', () => {
  it('offers the root, item and run routes', () => {
    expect(evidencePlugin.routes).toEqual({
      root: rootRouteRef,
      item: itemRouteRef,
      run: runRouteRef,
    });
  });

  it('opens on coverage and moves between tabs by address', async () => {
    const api = stubEvidenceApi();
    await renderEvidence(api, '/evidence');
    expect(await screen.findByText('SOC 2 evidence')).toBeInTheDocument();
    expect(
      await screen.findByText(/No evidence collected yet/),
    ).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'Coverage' })).toHaveAttribute(
      'aria-selected',
      'true',
    );
    fireEvent.click(screen.getByRole('tab', { name: 'Evidence' }));
    expect(await screen.findByText('No evidence yet')).toBeInTheDocument();
    expect(api.listItems).toHaveBeenCalledWith({ limit: 25, offset: 0 });
    expect(screen.getByRole('tab', { name: 'Evidence' })).toHaveAttribute(
      'aria-selected',
      'true',
    );
  });

  it('filters the evidence list on the server', async () => {
    const api = stubEvidenceApi({
      listItems: jest.fn().mockResolvedValue(page([makeItem({ id: 'i1' })])),
    });
    await renderEvidence(api, '/evidence/evidence');
    expect(
      await screen.findByRole('link', { name: 'SBOM of the workspace' }),
    ).toHaveAttribute('href', '/evidence/items/i1');
    fireEvent.change(screen.getByLabelText('Point'), {
      target: { value: 'CC8.1' },
    });
    fireEvent.change(screen.getByLabelText('Search'), {
      target: { value: 'sbom' },
    });
    await waitFor(() =>
      expect(api.listItems).toHaveBeenLastCalledWith({
        limit: 25,
        offset: 0,
        point: 'CC8.1',
        q: 'sbom',
      }),
    );
  });

  it('lists collectors with their last run and shows a run with its log and items', async () => {
    const run = makeRun({
      id: 'r1',
      state: 'failed',
      error: 'timed out after 60 s',
      finishedAt: '2026-12-01T10:01:00.000Z',
    });
    const api = stubEvidenceApi({
      listCollectors: jest
        .fn()
        .mockResolvedValue([makeCollector({ lastRun: run })]),
      listRuns: jest.fn().mockResolvedValue(page([run])),
      getRun: jest.fn().mockResolvedValue(
        makeRunDetail({
          ...run,
          log: 'reading yarn.lock\nwrote 1200 packages',
          items: [makeItem({ id: 'i1' })],
        }),
      ),
    });
    await renderEvidence(api, '/evidence/collectors');
    expect(
      await screen.findByText('SBOM', { selector: 'strong' }),
    ).toBeInTheDocument();
    expect(screen.getAllByText('failed').length).toBeGreaterThan(0);
    expect(await screen.findByText('timed out after 60 s')).toBeInTheDocument();
    expect(api.listRuns).toHaveBeenCalledWith({ limit: 25, offset: 0 });
    fireEvent.change(screen.getByLabelText('State'), {
      target: { value: 'failed' },
    });
    await waitFor(() =>
      expect(api.listRuns).toHaveBeenLastCalledWith({
        limit: 25,
        offset: 0,
        state: 'failed',
      }),
    );

    const links = screen.getAllByRole('link', { name: /2026|Dec/ });
    expect(links[0]).toHaveAttribute('href', '/evidence/runs/r1');
    fireEvent.click(links[0]);
    expect(await screen.findByLabelText('Run log')).toHaveTextContent(
      'reading yarn.lock wrote 1200 packages',
    );
    expect(
      screen.getByRole('link', { name: 'SBOM of the workspace' }),
    ).toHaveAttribute('href', '/evidence/items/i1');
  });

  it('signs an access review off with a comment', async () => {
    const review = makeItem({
      id: 'rev1',
      type: 'access-review',
      title: 'Access review of 2026-12-01',
      points: ['CC6.1', 'CC6.2', 'CC6.3'],
      summary: {
        users: 12,
        groups: 4,
        usersWithoutGroup: 2,
        entitiesWithoutOwner: 1,
        added: 3,
        removed: 0,
      },
    });
    const signOff = makeItem({
      id: 'so1',
      type: 'access-review.sign-off',
      filedBy: 'user:default/guest',
      summary: {
        reviewOf: 'rev1',
        reviewer: 'user:default/guest',
        comment: 'Checked with HR',
      },
    });
    const api = stubEvidenceApi({
      listAccessReviews: jest
        .fn()
        .mockResolvedValueOnce(page([{ review, signOff: null }], 10))
        .mockResolvedValue(page([{ review, signOff }], 10)),
      signOffAccessReview: jest.fn().mockResolvedValue(signOff),
    });
    await renderEvidence(api, '/evidence/access-reviews');
    const row = (
      await screen.findByText('Access review of 2026-12-01')
    ).closest('tr')!;
    expect(row).toHaveTextContent('12 users, 4 groups');
    expect(row).toHaveTextContent('2users in no group');
    expect(row).toHaveTextContent('1entities without an owner');
    expect(row).toHaveTextContent('3 added, 0 removed');
    expect(row).toHaveTextContent('awaiting sign-off');

    fireEvent.click(within(row).getByText('Sign off').closest('button')!);
    const dialog = (
      await screen.findByText(/is filed as evidence for/)
    ).closest('[role="dialog"]') as HTMLElement;
    fireEvent.change(within(dialog).getByLabelText(/^Comment/), {
      target: { value: 'Checked with HR' },
    });
    fireEvent.click(within(dialog).getByText('Sign off').closest('button')!);
    expect(await screen.findByText('signed off')).toBeInTheDocument();
    expect(api.signOffAccessReview).toHaveBeenCalledWith('rev1', {
      comment: 'Checked with HR',
    });
    expect(screen.getByText('“Checked with HR”')).toBeInTheDocument();
    expect(screen.queryByText('awaiting sign-off')).not.toBeInTheDocument();
  });
});
