import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { makeRequest } from '../../testing/fixtures';
import { RequestSummaryCard } from './RequestSummaryCard';

describe('RequestSummaryCard', () => {
  it('names the subject to those allowed to see it', async () => {
    await renderInTestApp(<RequestSummaryCard request={makeRequest()} />);
    expect(
      screen.getByText('Subject customer-42, EU (GDPR)'),
    ).toBeInTheDocument();
  });

  it('reads "hidden" where the API withheld the subject id', async () => {
    await renderInTestApp(
      <RequestSummaryCard
        request={makeRequest({ subjectId: null, subjectHidden: true })}
      />,
    );
    expect(screen.getByText('Subject hidden, EU (GDPR)')).toBeInTheDocument();
    expect(screen.queryByText(/null/)).not.toBeInTheDocument();
  });
});
