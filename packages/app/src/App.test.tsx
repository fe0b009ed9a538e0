import {
  fireEvent,
  render,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import App from './App';

describe('App', () => {
  const originalEnv = process.env;
  let fetchSpy: jest.SpyInstance;

  beforeEach(() => {
    process.env = {
      ...originalEnv,
      NODE_ENV: 'test',
      APP_CONFIG: [
        {
          data: {
            app: { title: 'Test', baseUrl: 'http://localhost' },
            backend: { baseUrl: 'http://localhost:7007' },
            techdocs: {
              storageUrl: 'http://localhost:7007/api/techdocs/static/docs',
            },
          },
          context: 'test',
        },
      ] as any,
    };
    // No backend runs in the test: every call the app makes fails, as it
    // would against a stopped backend, without touching the network.
    fetchSpy = jest
      .spyOn(globalThis, 'fetch')
      .mockRejectedValue(new TypeError('Failed to fetch'));
    // The guest sign-in falls back to the legacy guest token once the auth
    // backend cannot be reached; it asks first.
    jest.spyOn(window, 'confirm').mockReturnValue(true);
    // eslint-disable-next-line no-console
    const warn = console.warn;
    jest.spyOn(console, 'warn').mockImplementation((...args) => {
      if (String(args[0]).startsWith('Failed to sign in as a guest')) return;
      warn(...args);
    });
  });

  afterEach(() => {
    process.env = originalEnv;
    jest.restoreAllMocks();
    localStorage.clear();
  });

  it('should render the sign-in page, then the portal with the ops plugins', async () => {
    render(App.createRoot());

    // The guest sign-in page, titled from the config.
    expect(await screen.findByText('Guest')).toBeInTheDocument();
    expect(screen.getByText('Test')).toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: 'Enter' }));

    // Signed in: the sidebar lists the four ops pages.
    const nav = await screen.findByRole('navigation', {}, { timeout: 4000 });
    for (const title of ['Privacy', 'SLOs', 'Evidence', 'Drills']) {
      expect(
        within(nav).getByRole('link', { name: title }),
      ).toBeInTheDocument();
    }

    // Open the privacy page: its API call fails and it says so.
    fireEvent.click(within(nav).getByRole('link', { name: 'Privacy' }));
    expect(await screen.findByText('Privacy requests')).toBeInTheDocument();
    expect(
      await screen.findByText(/Could not load dsar queue/),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(fetchSpy).toHaveBeenCalledWith(
        'http://localhost:7007/api/privacy/requests?limit=25&offset=0',
        expect.anything(),
      ),
    );
  });
});
