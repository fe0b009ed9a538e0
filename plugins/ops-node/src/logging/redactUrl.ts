/** Query keys whose values never reach a log line (tokens, OAuth codes, secrets, emails). */
const SENSITIVE_KEY =
  /token|secret|passw|api[_-]?key|signature|^sig$|^code$|^state$|^nonce$|session|credential|^auth|^key$|email/i;

/** What a log line may carry of a request URL, sensitive query values replaced by `***`. */
export interface RedactedUrl {
  /** Path and (redacted) query, as requested: the ECS `url.original`. */
  original: string;
  path: string;
  /** Query string without the `?`, when there is one. */
  query?: string;
}

function decodeKey(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
}

/** Replaces the value of every sensitive query parameter in `query` (no leading `?`). */
export function redactQuery(query: string): string {
  return query
    .split('&')
    .map(part => {
      const eq = part.indexOf('=');
      if (eq < 0) return part;
      const key = part.slice(0, eq);
      return SENSITIVE_KEY.test(decodeKey(key)) ? `${key}=***` : part;
    })
    .join('&');
}

/**
 * Splits a request URL (`/api/x?y=1`, or an absolute URL such as a referrer)
 * into path and query and redacts the query. The fragment is dropped.
 */
export function redactUrl(url: string): RedactedUrl {
  const withoutFragment = url.split('#', 1)[0];
  const q = withoutFragment.indexOf('?');
  if (q < 0) {
    return { original: withoutFragment, path: pathOf(withoutFragment) };
  }
  const query = redactQuery(withoutFragment.slice(q + 1));
  const beforeQuery = withoutFragment.slice(0, q);
  return {
    original: `${beforeQuery}?${query}`,
    path: pathOf(beforeQuery),
    query,
  };
}

function pathOf(beforeQuery: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(beforeQuery);
  if (!scheme) return beforeQuery;
  return beforeQuery.slice(scheme[0].length) || '/';
}
