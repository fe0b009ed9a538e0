import { renderInTestApp } from '@backstage/test-utils';
import { fireEvent, screen } from '@testing-library/react';
import { LoadErrorPanel } from './LoadErrorPanel';

describe('LoadErrorPanel', () => {
  it('titles the error after what could not be loaded and retries on "Try again"', async () => {
    const retry = jest.fn();
    await renderInTestApp(
      <LoadErrorPanel
        error={new Error('database is away')}
        what="the runbooks"
        retry={retry}
      />,
    );

    expect(
      screen.getByText('Error: Could not load the runbooks'),
    ).toBeInTheDocument();
    expect(screen.getAllByText(/database is away/).length).toBeGreaterThan(0);
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(retry).toHaveBeenCalledTimes(1);
  });

  it('offers no retry without one', async () => {
    await renderInTestApp(
      <LoadErrorPanel error={new Error('nope')} what="coverage" />,
    );

    expect(
      screen.getByText('Error: Could not load coverage'),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Try again' }),
    ).not.toBeInTheDocument();
  });
});
