import { screen, waitFor } from '@testing-library/react';
import {
  OBJECTIVE_ID,
  makeObjective,
  page,
  stubSloApi,
} from '../testing/fixtures';
import { makeEntity, renderForEntity } from '../__testUtils__/entity';
import { EntitySloContent } from './EntitySloContent';

describe('EntitySloContent', () => {
  it("lists the entity's objectives with their numbers and a small burn chart", async () => {
    const api = stubSloApi({
      listObjectives: jest
        .fn()
        .mockResolvedValue(page([makeObjective({ state: 'firing' })])),
    });
    await renderForEntity(api, <EntitySloContent />);

    expect(
      await screen.findByRole('link', { name: 'Checkout availability' }),
    ).toBeInTheDocument();
    expect(api.listObjectives).toHaveBeenCalledWith({
      limit: 50,
      offset: 0,
      entityRef: 'component:default/checkout',
    });
    expect(screen.getByText('99.90% over 30d rolling')).toBeInTheDocument();
    expect(screen.getByText('99.950%')).toBeInTheDocument();
    expect(screen.getByText('80.0% left')).toBeInTheDocument();
    expect(
      await screen.findByRole('figure', { name: 'Burn rate over time' }),
    ).toBeInTheDocument();
    expect(api.getSeries).toHaveBeenCalledWith(
      OBJECTIVE_ID,
      expect.objectContaining({ step: 15 }),
    );
    const chart = screen.getByRole('figure', { name: 'Burn rate over time' });
    await waitFor(() =>
      expect(
        Array.from(chart.querySelectorAll('.recharts-label')).map(
          label => label.textContent,
        ),
      ).toEqual(['14.4×', '6×']),
    );
    expect(screen.getByText('Roll back').closest('a')).toBeInTheDocument();
  });

  it('shows the labelled empty state when the entity has no objectives', async () => {
    await renderForEntity(stubSloApi(), <EntitySloContent />, makeEntity());
    expect(await screen.findByText('No objectives yet')).toBeInTheDocument();
  });
});
