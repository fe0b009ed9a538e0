import { createHmac, timingSafeEqual } from 'node:crypto';

const LABEL = 'drills-calendar-feed:v1:';

const mac = (secret: string, userRef: string) =>
  createHmac('sha256', secret).update(`${LABEL}${userRef}`).digest();

/**
 * A personal token for the calendar feed, so that calendar apps (which send
 * no Backstage token) can subscribe: the user's ref and an HMAC of it. It
 * reveals only the user's ref; changing the secret revokes every token.
 */
export function signFeedToken(secret: string, userRef: string): string {
  return `${Buffer.from(userRef).toString('base64url')}.${mac(
    secret,
    userRef,
  ).toString('base64url')}`;
}

/** The user a feed token was signed for; undefined when it was not signed with `secret`. */
export function verifyFeedToken(
  secret: string,
  token: string,
): string | undefined {
  const [encodedRef, encodedMac, ...rest] = token.split('.');
  if (!encodedRef || !encodedMac || rest.length > 0) return undefined;
  const userRef = Buffer.from(encodedRef, 'base64url').toString('utf8');
  const expected = mac(secret, userRef);
  const given = Buffer.from(encodedMac, 'base64url');
  if (given.length !== expected.length) return undefined;
  return timingSafeEqual(given, expected) ? userRef : undefined;
}
