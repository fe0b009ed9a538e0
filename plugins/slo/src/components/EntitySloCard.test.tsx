import { screen } from '@testing-library/react';
import {
  makeObjective,
  makeStatus,
  page,
  stubSloApi,
} from '../testing/fixtures';
import { makeEntity, renderForEntity } from '../__testUtils__/entity';
import { EntitySloCard } from './EntitySloCard';

describe('EntitySloCard', () => {
  it('says so when the entity has no objectives', async () => {
    const api = stubSloApi();
    await renderForEntity(api, <EntitySloCard />);
    expect(
      await screen.findByText(/No objectives for this entity/),
    ).toBeInTheDocument();
    expect(api.listObjectives).toHaveBeenCalledWith({
      limit: 50,
      offset: 0,
      entityRef: 'component:default/checkout',
    });
    expect(screen.queryByText('Roll back')).toBeNull();
  });

  it('shows budget, 1h burn and state, and offers runbook and rollback when firing', async () => {
    const api = stubSloApi({
      listObjectives: jest.fn().mockResolvedValue(
        page([
          makeObjective({
            state: 'firing',
            status: makeStatus({
              budgetRemaining: 0.12,
              burnRates: {
                '1h': { burnRate: 16.2, noTraffic: false },
                '5m': { burnRate: 20, noTraffic: false },
              },
            }),
          }),
        ]),
      ),
    });
    await renderForEntity(
      api,
      <EntitySloCard />,
      makeEntity({
        'ops.portal/runbook': 'https://runbooks.example.com/checkout',
      }),
    );

    expect(
      await screen.findByRole('link', { name: 'Checkout availability' }),
    ).toHaveAttribute(
      'href',
      `/slo/objectives/${encodeURIComponent(
        'checkout:availability:region=eu,tier=gold',
      )}`,
    );
    expect(screen.getByText('burn 1h: 16.2×')).toBeInTheDocument();
    expect(screen.getByText('12.0% left')).toBeInTheDocument();
    expect(screen.getByText('firing')).toBeInTheDocument();

    expect(screen.getByText('Roll back').closest('a')).toHaveAttribute(
      'href',
      `/create/templates/default/rollback-bad-deploy?formData=${encodeURIComponent(
        '{"entity":"component:default/checkout"}',
      )}`,
    );
    expect(screen.getByText('Runbook').closest('a')).toHaveAttribute(
      'href',
      'https://runbooks.example.com/checkout',
    );
  });

  it('hides the runbook without the annotation and the actions when nothing fires', async () => {
    const api = stubSloApi({
      listObjectives: jest.fn().mockResolvedValue(page([makeObjective()])),
    });
    await renderForEntity(api, <EntitySloCard />);
    expect(await screen.findByText('ok')).toBeInTheDocument();
    expect(screen.queryByText('Roll back')).toBeNull();
    expect(screen.queryByText('Runbook')).toBeNull();
  });
});
