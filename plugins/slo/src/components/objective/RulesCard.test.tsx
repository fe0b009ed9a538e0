import { fireEvent, screen, waitFor } from '@testing-library/react';
import {
  OBJECTIVE_ID,
  responseError,
  stubSloApi,
} from '../../testing/fixtures';
import { renderWithApi } from '../../__testUtils__/renderWithApi';
import { RulesCard } from './RulesCard';
import { SourceCard } from './SourceCard';

describe('RulesCard and SourceCard', () => {
  it("shows the backend's reason when a push-fed objective has no rules", async () => {
    const api = stubSloApi({
      getRules: jest
        .fn()
        .mockRejectedValue(
          responseError(409, 'objective is push-fed: no Prometheus rules'),
        ),
    });
    await renderWithApi(
      api,
      <RulesCard objectiveRef={OBJECTIVE_ID} name="checkout" />,
    );
    expect(
      await screen.findByText(
        'No generated rules: objective is push-fed: no Prometheus rules',
      ),
    ).toBeInTheDocument();
    expect(api.getRules).toHaveBeenCalledWith(OBJECTIVE_ID, 'rules');
  });

  it('shows both formats with download buttons', async () => {
    const api = stubSloApi({
      getRules: jest
        .fn()
        .mockImplementation(async (_ref: string, format: string) =>
          format === 'rules' ? 'groups: []\n' : 'kind: PrometheusRule\n',
        ),
    });
    await renderWithApi(
      api,
      <RulesCard objectiveRef={OBJECTIVE_ID} name="checkout" />,
    );
    expect(
      await screen.findByRole('button', {
        name: /Download checkout-rules.yaml/,
      }),
    ).toBeInTheDocument();

    fireEvent.click(
      screen.getByRole('tab', { name: 'PrometheusRule (Kubernetes)' }),
    );
    await waitFor(() =>
      expect(api.getRules).toHaveBeenCalledWith(OBJECTIVE_ID, 'prometheusrule'),
    );
    expect(await screen.findByText(/PrometheusRule$/)).toBeInTheDocument();
    expect(
      screen.getByRole('button', {
        name: /Download checkout-prometheusrule.yaml/,
      }),
    ).toBeInTheDocument();
  });

  it('shows the OpenSLO source', async () => {
    const api = stubSloApi({
      getSource: jest
        .fn()
        .mockResolvedValue('apiVersion: openslo/v1\nkind: SLO\n'),
    });
    const { container } = await renderWithApi(
      api,
      <SourceCard objectiveRef={OBJECTIVE_ID} name="checkout" />,
    );
    await waitFor(() => expect(container).toHaveTextContent('kind: SLO'));
    expect(api.getSource).toHaveBeenCalledWith(OBJECTIVE_ID);
  });
});
