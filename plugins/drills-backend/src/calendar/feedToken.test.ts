import { signFeedToken, verifyFeedToken } from './feedToken';

const secret = 'a-secret-of-the-feed-that-is-long-enough';

describe('calendar feed tokens', () => {
  it('verifies a token to the user it was signed for', () => {
    const token = signFeedToken(secret, 'user:default/dave');
    expect(verifyFeedToken(secret, token)).toBe('user:default/dave');
  });

  it('refuses a token signed with another secret, altered, or malformed', () => {
    const token = signFeedToken(secret, 'user:default/dave');
    expect(verifyFeedToken(`${secret}x`, token)).toBeUndefined();
    const [, tokenMac] = token.split('.');
    const forged = `${Buffer.from('user:default/erin').toString(
      'base64url',
    )}.${tokenMac}`;
    expect(verifyFeedToken(secret, forged)).toBeUndefined();
    expect(verifyFeedToken(secret, `${token}x`)).toBeUndefined();
    for (const bad of ['', '.', 'abc', `${token}.extra`, 'a.b']) {
      expect(verifyFeedToken(secret, bad)).toBeUndefined();
    }
  });
});
