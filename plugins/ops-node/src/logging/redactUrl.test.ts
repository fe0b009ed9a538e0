import { redactQuery, redactUrl } from './redactUrl';

describe('redactUrl', () => {
  it('keeps a URL without query as it is', () => {
    expect(redactUrl('/api/catalog/entities')).toEqual({
      original: '/api/catalog/entities',
      path: '/api/catalog/entities',
    });
  });

  it('replaces the values of tokens, OAuth code and state, keeps the rest', () => {
    expect(
      redactUrl(
        '/api/auth/github/handler/frame?code=abc123&state=xyz&page=2&access_token=t0k&flag',
      ),
    ).toEqual({
      original:
        '/api/auth/github/handler/frame?code=***&state=***&page=2&access_token=***&flag',
      path: '/api/auth/github/handler/frame',
      query: 'code=***&state=***&page=2&access_token=***&flag',
    });
  });

  it('recognises encoded and mixed-case keys', () => {
    expect(redactQuery('Id%5FToken=a&API-Key=b&userEmail=c&q=d')).toBe(
      'Id%5FToken=***&API-Key=***&userEmail=***&q=d',
    );
  });

  it('handles absolute URLs (referrers) and drops the fragment', () => {
    expect(redactUrl('https://portal.example.com/catalog?token=s#x')).toEqual({
      original: 'https://portal.example.com/catalog?token=***',
      path: '/catalog',
      query: 'token=***',
    });
    expect(redactUrl('https://portal.example.com').path).toBe('/');
  });
});
