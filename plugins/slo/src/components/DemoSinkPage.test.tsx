import { fireEvent, screen, waitFor } from '@testing-library/react';
import { makeSinkEntry, page, stubSloApi } from '../testing/fixtures';
import { renderSlo } from '../__testUtils__/render';

describe('DemoSinkPage', () => {
  it('lists what each notifier would have sent, with the body on demand', async () => {
    const api = stubSloApi({
      listDemoSink: jest.fn().mockResolvedValue(
        page([
          makeSinkEntry(),
          makeSinkEntry({
            id: 2,
            target: 'team-jira',
            type: 'jira',
            request: { method: 'POST', path: '/rest/api/2/issue', body: {} },
          }),
        ]),
      ),
    });
    const { container } = await renderSlo(api, '/slo/demo-sink');

    expect(await screen.findByText('POST /v2/enqueue')).toBeInTheDocument();
    expect(api.listDemoSink).toHaveBeenCalledWith({ limit: 25, offset: 0 });
    expect(screen.getByText('Demo')).toBeInTheDocument();
    const row = screen.getByText('POST /rest/api/2/issue').closest('tr')!;
    expect(row).toHaveTextContent('team-jira');
    expect(row).toHaveTextContent('jira');

    fireEvent.click(screen.getAllByRole('button', { name: 'Show body' })[0]);
    await waitFor(() =>
      expect(container).toHaveTextContent('"dedup_key": "checkout:fast"'),
    );
  });

  it('says so when nothing has been recorded', async () => {
    await renderSlo(stubSloApi(), '/slo/demo-sink');
    expect(await screen.findByText('Nothing recorded yet')).toBeInTheDocument();
  });
});
