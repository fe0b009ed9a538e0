import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { z } from 'zod';

/** What a collector reading a sibling plugin's API needs. */
export interface PluginApiDeps {
  discovery: DiscoveryService;
  auth: AuthService;
}

/** A sibling plugin answered something other than 2xx, or not what its API documents. */
export class PluginApiError extends Error {
  constructor(
    readonly pluginId: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'PluginApiError';
  }
}

/** The list envelope of every ops plugin (`Page<T>` of ops-common). */
const pageSchema = z.object({
  items: z.array(z.unknown()),
  totalCount: z.number().int().min(0),
  limit: z.number().int().optional(),
  offset: z.number().int().optional(),
});

/** Deepest offset the ops list routes accept (ops-node's MAX_PAGE_OFFSET). */
export const MAX_PAGE_OFFSET = 10_000;

type Query = Record<string, string | number | undefined>;

/** Shortens a path issue list to one line naming the fields. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map(i => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

/**
 * Reads one sibling plugin's HTTP API as this plugin's service principal:
 * a plugin request token for `pluginId`, the base URL from discovery, plain
 * fetch. Anything but 2xx throws a {@link PluginApiError} naming the plugin,
 * the route and the status.
 */
export class PluginApiClient {
  constructor(
    private readonly deps: PluginApiDeps,
    readonly pluginId: string,
  ) {}

  /** GETs `path` (relative to the plugin's base URL) and parses it with `schema`. */
  async get<T>(
    path: string,
    schema: z.ZodType<T, z.ZodTypeDef, unknown>,
    options: { query?: Query; signal?: AbortSignal } = {},
  ): Promise<T> {
    const { auth, discovery } = this.deps;
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: this.pluginId,
    });
    const baseUrl = await discovery.getBaseUrl(this.pluginId);
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) search.set(key, String(value));
    }
    const qs = search.toString();
    const route = `GET ${path}${qs ? `?${qs}` : ''}`;
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}${qs ? `?${qs}` : ''}`, {
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: 'application/json',
        },
        signal: options.signal,
      });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new PluginApiError(
        this.pluginId,
        `The ${this.pluginId} plugin could not be reached for ${route}: ${
          (error as Error).message
        }`,
      );
    }
    if (!response.ok) {
      throw new PluginApiError(
        this.pluginId,
        `The ${this.pluginId} plugin answered ${response.status}${
          response.statusText ? ` ${response.statusText}` : ''
        } to ${route}${await errorMessageOf(response)}`,
        response.status,
      );
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new PluginApiError(
        this.pluginId,
        `The ${this.pluginId} plugin answered ${route} with a body that is not JSON`,
        response.status,
      );
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new PluginApiError(
        this.pluginId,
        `The ${
          this.pluginId
        } plugin answered ${route} with an unexpected shape: ${describeIssues(
          parsed.error,
        )}`,
        response.status,
      );
    }
    return parsed.data;
  }

  /**
   * Every item of a paged list route (`{ items, totalCount, limit, offset }`),
   * each parsed with `item`, reading `pageSize` at a time. `until` stops the
   * reading early (the lists are sorted; it sees each item in order).
   */
  async getAll<T>(
    path: string,
    item: z.ZodType<T, z.ZodTypeDef, unknown>,
    options: {
      query?: Query;
      signal?: AbortSignal;
      pageSize?: number;
      until?: (item: T) => boolean;
    } = {},
  ): Promise<T[]> {
    const limit = options.pageSize ?? 100;
    const schema = pageSchema.extend({ items: z.array(item) });
    const all: T[] = [];
    for (let offset = 0; ; ) {
      if (offset > MAX_PAGE_OFFSET) {
        throw new PluginApiError(
          this.pluginId,
          `The ${this.pluginId} plugin's ${path} holds more than ${MAX_PAGE_OFFSET} items for this query; it cannot be read past that offset`,
        );
      }
      const page = await this.get(path, schema, {
        query: { ...options.query, limit, offset },
        signal: options.signal,
      });
      for (const entry of page.items) {
        if (options.until?.(entry)) return all;
        all.push(entry);
      }
      offset += page.items.length;
      if (page.items.length === 0 || offset >= page.totalCount) return all;
    }
  }
}

async function errorMessageOf(response: Response): Promise<string> {
  try {
    const text = await response.text();
    try {
      const message = (JSON.parse(text) as { error?: { message?: unknown } })
        ?.error?.message;
      if (typeof message === 'string') return `: ${message.slice(0, 500)}`;
    } catch {
      // not JSON
    }
    // A body that is not Backstage's error JSON is not repeated: it could
    // hold anything, and the message ends up in the run's log.
    return '';
  } catch {
    return '';
  }
}

/** The period a collector of `days` covers, ending at `now`. */
export function periodEndingAt(
  now: Date,
  days: number,
): { start: Date; end: Date } {
  return { start: new Date(now.getTime() - days * 86_400_000), end: now };
}
