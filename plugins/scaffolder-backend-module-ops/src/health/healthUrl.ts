import { InputError } from '@backstage/errors';

/** The annotation naming a service's health endpoint. */
export const HEALTH_URL_ANNOTATION = 'ops.portal/health-url';

/**
 * The health URL of an annotation value: http or https only. Fails naming
 * the annotation.
 */
export function parseHealthUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new InputError(
      `Annotation ${HEALTH_URL_ANNOTATION} is not a URL: ${value}`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InputError(
      `Annotation ${HEALTH_URL_ANNOTATION} must be an http or https URL, not ${url.protocol}`,
    );
  }
  return url;
}

/** The URL as logs and details show it: no user info, no query. */
export function displayUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/**
 * One GET of a health endpoint, within `timeoutMs` (default 5 s), not
 * following redirects: healthy on 2xx. No answer is unhealthy, not an
 * error (a service being restarted may not answer yet).
 */
export async function checkHealthUrl(
  url: URL,
  options: { fetch?: typeof fetch; timeoutMs?: number; signal?: AbortSignal },
): Promise<{ healthy: boolean; details: string }> {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 5000;
  const shown = `GET ${displayUrl(url)}`;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal
    ? AbortSignal.any([options.signal, timeout])
    : timeout;
  let response: Response;
  try {
    response = await doFetch(url, {
      method: 'GET',
      redirect: 'manual',
      signal,
    });
    // The body is not read; release the connection.
    await response.body?.cancel().catch(() => undefined);
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const why = timeout.aborted
      ? `no answer within ${timeoutMs / 1000} s`
      : describe(error);
    return { healthy: false, details: `${shown}: ${why}` };
  }
  const status = `${response.status}${
    response.statusText ? ` ${response.statusText}` : ''
  }`;
  if (response.status >= 300 && response.status < 400) {
    return {
      healthy: false,
      details: `${shown}: ${status} (a redirect, not followed)`,
    };
  }
  return { healthy: response.ok, details: `${shown}: ${status}` };
}

function describe(error: unknown): string {
  const { message, cause } = (error ?? {}) as {
    message?: unknown;
    cause?: { code?: unknown; message?: unknown };
  };
  const reason = cause?.code ?? cause?.message;
  const text = typeof message === 'string' ? message : String(error);
  return reason ? `${text} (${String(reason)})` : text;
}
