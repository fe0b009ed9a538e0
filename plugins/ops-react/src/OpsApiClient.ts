import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';

/** The envelope every ops list route answers with. */
export interface Page<T> {
  items: T[];
  totalCount: number;
  limit: number;
  offset: number;
}

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
    return this.request<T>(`${path}${toQueryString(query)}`, { method: 'GET' });
  }

  protected async post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  private async request<T>(path: string, init: RequestInit): Promise<T> {
    const baseUrl = await this.options.discoveryApi.getBaseUrl(
      this.options.pluginId,
    );
    const response = await this.options.fetchApi.fetch(
      `${baseUrl}${path}`,
      init,
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
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
