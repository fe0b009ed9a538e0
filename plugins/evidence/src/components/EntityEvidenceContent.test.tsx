import { screen, waitFor } from '@testing-library/react';
import {
  makeCoverage,
  makeItem,
  page,
  stubEvidenceApi,
} from '../testing/fixtures';
import { renderForEntity } from '../__testUtils__/render';
import { EntityEvidenceContent } from './EntityEvidenceContent';

describe('EntityEvidenceContent', () => {
  it('lists the evidence about the entity and the points it touches, with their coverage', async () => {
    const items = [
      makeItem({
        id: 'h1',
        title: 'Hardening check of api-gateway',
        type: 'hardening',
        points: ['CC7.1', 'CC6.8'],
        entityRef: 'component:default/api-gateway',
      }),
      makeItem({
        id: 'c1',
        title: 'Changes to api-gateway',
        type: 'change-management.git',
        points: ['CC8.1'],
        entityRef: 'component:default/api-gateway',
      }),
    ];
    const api = stubEvidenceApi({
      listItems: jest.fn().mockResolvedValue(page(items)),
      getCoverage: jest.fn().mockResolvedValue(
        makeCoverage({
          'CC8.1': { status: 'fresh', itemCount: 3 },
          'CC6.8': { status: 'stale', itemCount: 1 },
          'CC7.1': { status: 'stale', itemCount: 1 },
        }),
      ),
    });
    await renderForEntity(api, <EntityEvidenceContent />);

    expect(
      await screen.findByText('Hardening check of api-gateway'),
    ).toBeInTheDocument();
    expect(screen.getByText('Changes to api-gateway')).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'Changes to api-gateway' }),
    ).toHaveAttribute('href', '/evidence/items/c1');
    await waitFor(() =>
      expect(api.listItems).toHaveBeenCalledWith({
        limit: 25,
        offset: 0,
        entityRef: 'component:default/api-gateway',
      }),
    );
    const touched = (
      await screen.findByText('Coverage points touched')
    ).closest('.MuiCard-root') as HTMLElement;
    expect(touched).toHaveTextContent('CC6.8stale');
    expect(touched).toHaveTextContent('CC7.1stale');
    expect(touched).toHaveTextContent('CC8.1fresh');
  });

  it('says so when there is no evidence about the entity', async () => {
    const api = stubEvidenceApi();
    await renderForEntity(api, <EntityEvidenceContent />);
    expect(await screen.findByText('No evidence yet')).toBeInTheDocument();
    expect(
      await screen.findByText(/No evidence about this entity yet/),
    ).toBeInTheDocument();
  });
});
