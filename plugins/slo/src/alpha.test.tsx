import { renderTestApp } from '@backstage/frontend-test-utils';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { screen } from '@testing-library/react';
import { sloApiRef } from './api';
import sloPlugin from './alpha';
import {
  OBJECTIVE_ID,
  makeObjective,
  page,
  stubSloApi,
} from './testing/fixtures';

// The page test covers the charts; here only the routing matters.
jest.mock('./components/objective/ObjectiveCharts', () => ({
  ObjectiveCharts: () => <div>charts</div>,
}));

// The catalog is not part of this test app; its entity route is still linked to.
const mountedRoutes = {
  '/catalog/:namespace/:kind/:name': convertLegacyRouteRef(entityRouteRef),
};

describe('slo plugin (new frontend system)', () => {
  it('shows the overview at /slo, linking to the objective page', async () => {
    const api = stubSloApi({
      listObjectives: jest.fn().mockResolvedValue(page([makeObjective()])),
    });
    renderTestApp({
      features: [sloPlugin],
      apis: [[sloApiRef, api]],
      mountedRoutes,
      initialRouteEntries: ['/slo'],
    });
    expect(
      await screen.findByRole('link', { name: 'Checkout availability' }),
    ).toHaveAttribute(
      'href',
      `/slo/objectives/${encodeURIComponent(OBJECTIVE_ID)}`,
    );
  });

  it('shows one objective at /slo/objectives/:ref, the id decoded', async () => {
    const api = stubSloApi();
    renderTestApp({
      features: [sloPlugin],
      apis: [[sloApiRef, api]],
      mountedRoutes,
      initialRouteEntries: [
        `/slo/objectives/${encodeURIComponent(OBJECTIVE_ID)}`,
      ],
    });
    expect(await screen.findByText('Time to exhaustion')).toBeInTheDocument();
    expect(api.getObjective).toHaveBeenCalledWith(OBJECTIVE_ID);
  });

  it('shows the demo sink at /slo/demo-sink', async () => {
    renderTestApp({
      features: [sloPlugin],
      apis: [[sloApiRef, stubSloApi()]],
      initialRouteEntries: ['/slo/demo-sink'],
    });
    expect(await screen.findByText('Nothing recorded yet')).toBeInTheDocument();
  });
});
