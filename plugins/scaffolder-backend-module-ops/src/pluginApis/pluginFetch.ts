import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import {
  AuthenticationError,
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';

/** What a client of one of our plugins needs to reach it. */
export type PluginApiOptions = {
  auth: Pick<AuthService, 'getPluginRequestToken'>;
  discovery: Pick<DiscoveryService, 'getBaseUrl'>;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
};

/** One call of a plugin's JSON API. */
export type PluginRequest = {
  method: 'GET' | 'POST';
  /** Below the plugin's base URL, starting with `/`; ids already encoded. */
  path: string;
  body?: unknown;
};

/** Calls one plugin's API as somebody: `call<T>({ method, path, body })`. */
export type PluginCaller = <T>(request: PluginRequest) => Promise<T>;

/**
 * Makes a caller of `pluginId`'s API that carries a token on behalf of
 * `credentials` (the template's initiator), so the plugin's permission check
 * applies to that person. Answers other than 2xx become Backstage errors with
 * the plugin's own message: 400 InputError, 401 AuthenticationError, 403
 * NotAllowedError ("Not allowed: ..."), 404 NotFoundError, 409 ConflictError;
 * anything else, and no answer at all, a ServiceUnavailableError.
 */
export function createPluginCaller(
  pluginId: string,
  options: PluginApiOptions & {
    credentials: BackstageCredentials;
    signal?: AbortSignal;
  },
): PluginCaller {
  const doFetch = options.fetch ?? fetch;
  return async <T>({ method, path, body }: PluginRequest): Promise<T> => {
    const { token } = await options.auth.getPluginRequestToken({
      onBehalfOf: options.credentials,
      targetPluginId: pluginId,
    });
    const baseUrl = await options.discovery.getBaseUrl(pluginId);
    const call = `${method} ${path}`;
    let response: Response;
    try {
      response = await doFetch(`${baseUrl}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: options.signal,
      });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new ServiceUnavailableError(
        `The ${pluginId} plugin (${baseUrl}) did not answer ${call}: ${describeCause(
          error,
        )}`,
      );
    }
    const text = await response.text();
    if (response.ok) {
      try {
        return (text ? JSON.parse(text) : undefined) as T;
      } catch {
        throw new ServiceUnavailableError(
          `The ${pluginId} plugin answered ${call} with ${response.status} but no JSON`,
        );
      }
    }
    throw errorOf(pluginId, call, response, text);
  };
}

/** The Backstage error for a plugin's error answer, with the plugin's message. */
function errorOf(
  pluginId: string,
  call: string,
  response: Response,
  text: string,
): Error {
  const message = errorMessage(text) ?? response.statusText;
  switch (response.status) {
    case 400:
      return new InputError(message);
    case 401:
      return new AuthenticationError(
        `The ${pluginId} plugin did not accept the credentials for ${call}: ${message}`,
      );
    case 403:
      return new NotAllowedError(
        /^not allowed\b/i.test(message) ? message : `Not allowed: ${message}`,
      );
    case 404:
      return new NotFoundError(message);
    case 409:
      return new ConflictError(message);
    default:
      return new ServiceUnavailableError(
        `The ${pluginId} plugin failed ${call} with ${response.status}: ${message}`,
      );
  }
}

/** `error.message` of a Backstage error body (`{ error: { name, message } }`). */
function errorMessage(text: string): string | undefined {
  try {
    const message = JSON.parse(text)?.error?.message;
    if (typeof message === 'string' && message) return message;
  } catch {
    // not JSON: fall through
  }
  const plain = text.trim();
  return plain && plain.length <= 300 && !plain.startsWith('<')
    ? plain
    : undefined;
}

function describeCause(error: unknown): string {
  // Duck-typed: errors from fetch may come from another realm.
  const { message, cause } = (error ?? {}) as {
    message?: unknown;
    cause?: { message?: unknown; code?: unknown };
  };
  const reason = cause?.code ?? cause?.message;
  if (typeof message !== 'string') return String(error);
  return reason ? `${message} (${String(reason)})` : message;
}
