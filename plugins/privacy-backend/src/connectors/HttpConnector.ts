import { REGIONS, type Region } from '@internal/plugin-privacy-common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { DataSourceConnector } from './types';
import { parseConnectionConfig } from './validation';

/**
 * A service that exposes its own DSAR endpoints:
 * `POST {url}/export` → `{ records: { <collection>: [...] } }`,
 * `POST {url}/erase` → `{ affected: number }`,
 * `POST {url}/remaining` → `{ remaining: number }`,
 * each with the JSON body `{ subjectId }`, signed with a shared secret.
 */

export const httpConnectionSchema = z
  .object({
    type: z.literal('http'),
    region: z.enum(REGIONS),
    url: z
      .string()
      .url()
      .refine(
        isPlainHttpUrl,
        'must be an http(s) URL without credentials, query or fragment',
      ),
    secret: z.string().min(16, 'must be at least 16 characters'),
    timeoutMs: z.number().int().positive().max(600_000).default(30_000),
  })
  .strict();

export type HttpConnectionConfig = z.input<typeof httpConnectionSchema>;

export const TIMESTAMP_HEADER = 'X-Ops-Timestamp';
export const SIGNATURE_HEADER = 'X-Ops-Signature';

/** `sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`. */
export function signOpsRequest(
  secret: string,
  timestamp: string,
  body: string,
): string {
  const mac = createHmac('sha256', secret)
    .update(`${timestamp}.${body}`, 'utf8')
    .digest('hex');
  return `sha256=${mac}`;
}

/**
 * Checks a signed request: the signature matches (constant-time) and the
 * timestamp (unix seconds) is within `maxSkewSeconds` of now.
 */
export function verifyOpsSignature(
  secret: string,
  timestamp: string | undefined,
  body: string,
  signatureHeader: string | undefined,
  maxSkewSeconds = 300,
): boolean {
  if (!timestamp || !signatureHeader || !/^\d{1,12}$/.test(timestamp)) {
    return false;
  }
  const skew = Math.abs(Date.now() / 1000 - Number(timestamp));
  if (skew > maxSkewSeconds) {
    return false;
  }
  const expected = Buffer.from(signOpsRequest(secret, timestamp, body), 'utf8');
  const actual = Buffer.from(signatureHeader, 'utf8');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** A failed call to a service's DSAR endpoint; `status` is unset for timeouts and network errors. */
export class ConnectorRequestError extends Error {
  readonly name = 'ConnectorRequestError';
  readonly status: number | undefined;

  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
  }
}

export class HttpConnector implements DataSourceConnector {
  readonly connection: string;
  readonly region: Region;
  readonly #url: string;
  readonly #secret: string;
  readonly #timeoutMs: number;

  constructor(connection: string, config: HttpConnectionConfig | unknown) {
    const parsed = parseConnectionConfig(
      connection,
      httpConnectionSchema,
      config,
    );
    this.connection = connection;
    this.region = parsed.region;
    this.#url = parsed.url.replace(/\/+$/, '');
    this.#secret = parsed.secret;
    this.#timeoutMs = parsed.timeoutMs;
  }

  async exportSubject(subjectId: string): Promise<Record<string, unknown[]>> {
    const { records } = await this.#call('export', subjectId);
    if (!isRecordOfArrays(records)) {
      throw this.#error(
        'export',
        'the response has no { records: { <name>: [...] } }',
      );
    }
    return records;
  }

  async eraseSubject(subjectId: string): Promise<{ affected: number }> {
    const { affected } = await this.#call('erase', subjectId);
    if (!isCount(affected)) {
      throw this.#error('erase', 'the response has no { affected: <count> }');
    }
    return { affected };
  }

  async countRemaining(subjectId: string): Promise<number> {
    const { remaining } = await this.#call('remaining', subjectId);
    if (!isCount(remaining)) {
      throw this.#error(
        'remaining',
        'the response has no { remaining: <count> }',
      );
    }
    return remaining;
  }

  async close(): Promise<void> {}

  async #call(
    operation: 'export' | 'erase' | 'remaining',
    subjectId: string,
  ): Promise<Record<string, unknown>> {
    const body = JSON.stringify({ subjectId });
    const timestamp = String(Math.floor(Date.now() / 1000));
    let response: Response;
    try {
      response = await fetch(`${this.#url}/${operation}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: signOpsRequest(this.#secret, timestamp, body),
        },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      const name = (error as Error)?.name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw this.#error(operation, `timed out after ${this.#timeoutMs} ms`);
      }
      throw this.#error(
        operation,
        `request failed: ${(error as Error)?.message}`,
      );
    }

    if (!response.ok) {
      // The body is not quoted: it may echo personal data into logs and lastError.
      await response.body?.cancel().catch(() => {});
      throw this.#error(
        operation,
        `HTTP ${response.status}${
          response.statusText ? ` ${response.statusText}` : ''
        }`,
        response.status,
      );
    }
    try {
      const json = await response.json();
      if (typeof json !== 'object' || json === null || Array.isArray(json)) {
        throw new Error('not an object');
      }
      return json as Record<string, unknown>;
    } catch (error) {
      const name = (error as Error)?.name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw this.#error(operation, `timed out after ${this.#timeoutMs} ms`);
      }
      throw this.#error(operation, 'the response is not a JSON object');
    }
  }

  #error(operation: string, problem: string, status?: number): Error {
    return new ConnectorRequestError(
      `Data source connection "${this.connection}": POST ${
        this.#url
      }/${operation} failed: ${problem}`,
      status,
    );
  }
}

function isPlainHttpUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    !url.username &&
    !url.password &&
    !url.search &&
    !url.hash
  );
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function isRecordOfArrays(value: unknown): value is Record<string, unknown[]> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every(Array.isArray)
  );
}
