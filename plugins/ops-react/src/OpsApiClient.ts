import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';

export type { Page } from '@internal/plugin-ops-common';

export type QueryValue = string | number | boolean | undefined;

/**
 * A small JSON client for one ops backend plugin (`/api/<pluginId>`), on the
 * portal's discovery and fetch APIs so calls carry the user's token.
 * Non-2xx answers throw a ResponseError with the backend's message.
 */
export class OpsApiClient {
  constructor(
    private readonly options: {
      pluginId: string;
      discoveryApi: DiscoveryApi;
      fetchApi: FetchApi;
    },
  ) {}

  protected async get<T>(
    path: string,
    query: Record<string, QueryValue> = {},
  ): Promise<T> {
    const response = await this.fetch(`${path}${toQueryString(query)}`, {
      method: 'GET',
    });
    return (await response.json()) as T;
  }

  protected async post<T>(
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const response = await this.postResponse(path, body, headers);
    return (await response.json()) as T;
  }

  /** A JSON POST whose response the caller reads itself (its status, say). */
  protected postResponse(
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return this.fetch(path, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  /**
   * Fetches `<plugin base URL><path>` with the user's token and answers the
   * response itself, for calls that need more than its JSON (a status code,
   * headers, a binary body). Non-2xx answers throw a ResponseError.
   */
  protected async fetch(path: string, init: RequestInit): Promise<Response> {
    const response = await this.fetchResponse(path, init);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response;
  }

  /**
   * Like `fetch`, but answers the response whatever its status, for calls
   * where a non-2xx answer is a result to read (a 409 with the current state,
   * say). Only a network failure throws.
   */
  protected async fetchResponse(
    path: string,
    init: RequestInit,
  ): Promise<Response> {
    return this.options.fetchApi.fetch(await this.url(path), init);
  }

  /** `<plugin base URL><path>`, for links the browser follows itself. */
  protected async url(path: string): Promise<string> {
    const baseUrl = await this.options.discoveryApi.getBaseUrl(
      this.options.pluginId,
    );
    return `${baseUrl}${path}`;
  }
}

function toQueryString(query: Record<string, QueryValue>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
