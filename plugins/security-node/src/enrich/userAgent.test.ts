import { createUserAgentEnricher } from './userAgent';

const doc = (original?: string) => ({
  '@timestamp': '2025-03-04T10:00:00.000Z',
  ecs: { version: '9.4.0' as const },
  user_agent: original === undefined ? undefined : { original },
});

describe('user agent enrichment', () => {
  const enrich = createUserAgentEnricher();

  it('adds browser, OS and device from the original string', () => {
    const out = enrich(
      doc(
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
      ),
    );
    expect(out.user_agent).toEqual({
      original: expect.stringContaining('iPhone'),
      name: 'Mobile Safari',
      version: '17.0',
      os: { name: 'iOS', version: '17.0', full: 'iOS 17.0' },
      device: { name: 'iPhone' },
    });
  });

  it('keeps only what it can parse', () => {
    expect(enrich(doc('curl/8.5.0')).user_agent).toEqual({
      original: 'curl/8.5.0',
    });
  });

  it('leaves documents without a user agent alone', () => {
    const input = doc();
    expect(enrich(input)).toBe(input);
  });
});
