import { InputError } from '@backstage/errors';
import { REGIONS, type Region } from '@internal/plugin-privacy-common';
import {
  createHash,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { z } from 'zod';
import type { DataSourceConnector } from './types';
import { parseConnectionConfig } from './validation';

/**
 * A service that exposes its own DSAR endpoints:
 * `POST {url}/export` → `{ records: { <collection>: [...] } }`,
 * `POST {url}/erase` → `{ affected: number }`,
 * `POST {url}/remaining` → `{ remaining: number }`,
 * each with the JSON body `{ subjectId }`, signed with a shared secret over
 * the method, the path, a timestamp, a nonce and the body (signOpsRequest).
 */

/** The default cap of a response body: 50 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 50 * 1024 * 1024;

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
    /** Largest response body read, in bytes; a longer one fails the call. */
    maxResponseBytes: z
      .number()
      .int()
      .positive()
      .max(1024 * 1024 * 1024)
      .default(DEFAULT_MAX_RESPONSE_BYTES),
  })
  .strict();

export type HttpConnectionConfig = z.input<typeof httpConnectionSchema>;

export const HTTPS_ONLY_MESSAGE =
  'must be an https URL outside demo mode (http is allowed only while privacy.demo.enabled is true)';

export interface HttpConnectorOptions {
  /**
   * Allows an `http://` URL. Only demo mode (`privacy.demo.enabled`) and
   * tests set it: anywhere else the subject ids and their data would cross
   * the network in clear, and the signature could be watched and replayed.
   */
  allowInsecureHttp?: boolean;
}

export const TIMESTAMP_HEADER = 'X-Ops-Timestamp';
export const NONCE_HEADER = 'X-Ops-Nonce';
export const SIGNATURE_HEADER = 'X-Ops-Signature';

/** How far a request's timestamp may be from the receiver's clock, and how long its nonce is remembered. */
export const DEFAULT_MAX_SKEW_SECONDS = 300;

const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;
const TIMESTAMP_PATTERN = /^\d{1,12}$/;

/** What a signature covers. `path` is the request target as sent, e.g. `/dsar/export`. */
export interface OpsRequestParts {
  method: string;
  path: string;
  timestamp: string;
  nonce: string;
  body: string;
}

/**
 * `v2=<hex HMAC-SHA256(secret, canonical)>`, where canonical is the lines
 * `ops-v2`, the method (upper case), the path, the timestamp (unix
 * seconds), the nonce and the hex SHA-256 of the body, joined by `\n`.
 */
export function signOpsRequest(secret: string, parts: OpsRequestParts): string {
  const canonical = [
    'ops-v2',
    parts.method.toUpperCase(),
    parts.path,
    parts.timestamp,
    parts.nonce,
    createHash('sha256').update(parts.body, 'utf8').digest('hex'),
  ].join('\n');
  const mac = createHmac('sha256', secret)
    .update(canonical, 'utf8')
    .digest('hex');
  return `v2=${mac}`;
}

/** A fresh nonce: 16 random bytes, base64url. */
export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * The nonces a receiver has accepted, each until its request's timestamp
 * leaves the skew window (after that the timestamp alone refuses a replay).
 * Bounded: when `maxEntries` unexpired nonces are held, new requests are
 * refused (fail closed) until some expire. Only requests whose signature
 * checked out are recorded, so only a holder of the secret can fill it.
 */
export class NonceCache {
  readonly #expiries = new Map<string, number>();

  constructor(
    private readonly options: {
      maxEntries?: number;
      now?: () => number;
    } = {},
  ) {}

  get size(): number {
    return this.#expiries.size;
  }

  /** Records `nonce` until `expiresAtMs`; false when it was seen (a replay) or the cache is full. */
  remember(nonce: string, expiresAtMs: number): boolean {
    const now = (this.options.now ?? Date.now)();
    const seen = this.#expiries.get(nonce);
    if (seen !== undefined && seen > now) return false;
    if (this.#expiries.size >= (this.options.maxEntries ?? 100_000)) {
      this.#sweep(now);
      if (this.#expiries.size >= (this.options.maxEntries ?? 100_000)) {
        return false;
      }
    }
    this.#expiries.set(nonce, expiresAtMs);
    return true;
  }

  #sweep(now: number) {
    for (const [nonce, expiry] of this.#expiries) {
      if (expiry <= now) this.#expiries.delete(nonce);
    }
  }
}

export type OpsVerification =
  | { ok: true }
  | {
      ok: false;
      reason:
        | 'missing-headers'
        | 'stale-timestamp'
        | 'bad-signature'
        | 'replayed-nonce';
    };

/**
 * Checks a signed request as a receiving service should: the headers are
 * present and well-formed, the timestamp is within `maxSkewSeconds` of now,
 * the signature matches (constant time) the request's own method, path and
 * body, and, with `nonces`, its nonce was not accepted before.
 */
export function verifyOpsRequest(
  secret: string,
  request: {
    method: string;
    path: string;
    body: string;
    timestamp: string | undefined;
    nonce: string | undefined;
    signature: string | undefined;
  },
  options: {
    nonces?: NonceCache;
    maxSkewSeconds?: number;
    now?: () => number;
  } = {},
): OpsVerification {
  const { timestamp, nonce, signature } = request;
  if (
    !timestamp ||
    !nonce ||
    !signature ||
    !TIMESTAMP_PATTERN.test(timestamp) ||
    !NONCE_PATTERN.test(nonce)
  ) {
    return { ok: false, reason: 'missing-headers' };
  }
  const maxSkew = options.maxSkewSeconds ?? DEFAULT_MAX_SKEW_SECONDS;
  const nowMs = (options.now ?? Date.now)();
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > maxSkew) {
    return { ok: false, reason: 'stale-timestamp' };
  }
  const expected = Buffer.from(
    signOpsRequest(secret, {
      method: request.method,
      path: request.path,
      timestamp,
      nonce,
      body: request.body,
    }),
    'utf8',
  );
  const actual = Buffer.from(signature, 'utf8');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    return { ok: false, reason: 'bad-signature' };
  }
  if (
    options.nonces &&
    !options.nonces.remember(nonce, (Number(timestamp) + maxSkew) * 1000 + 1000)
  ) {
    return { ok: false, reason: 'replayed-nonce' };
  }
  return { ok: true };
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
  readonly #maxResponseBytes: number;

  constructor(
    connection: string,
    config: HttpConnectionConfig | unknown,
    options: HttpConnectorOptions = {},
  ) {
    const parsed = parseConnectionConfig(
      connection,
      httpConnectionSchema,
      config,
    );
    if (
      !options.allowInsecureHttp &&
      new URL(parsed.url).protocol !== 'https:'
    ) {
      throw new InputError(
        `Invalid privacy connection config: ${connection}.url: ${HTTPS_ONLY_MESSAGE}`,
      );
    }
    this.connection = connection;
    this.region = parsed.region;
    this.#url = parsed.url.replace(/\/+$/, '');
    this.#secret = parsed.secret;
    this.#timeoutMs = parsed.timeoutMs;
    this.#maxResponseBytes = parsed.maxResponseBytes;
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
    const url = new URL(`${this.#url}/${operation}`);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = newNonce();
    const signature = signOpsRequest(this.#secret, {
      method: 'POST',
      path: url.pathname,
      timestamp,
      nonce,
      body,
    });
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          [TIMESTAMP_HEADER]: timestamp,
          [NONCE_HEADER]: nonce,
          [SIGNATURE_HEADER]: signature,
        },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw this.#fetchError(operation, error);
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
    const text = await this.#readCapped(operation, response);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw this.#error(operation, 'the response is not a JSON object');
    }
    return json as Record<string, unknown>;
  }

  /**
   * The response body as text, read chunk by chunk: past `maxResponseBytes`
   * (announced by Content-Length or counted as it arrives) the stream is
   * canceled and the call fails, so a service can never make the worker
   * hold more than the cap.
   */
  async #readCapped(operation: string, response: Response): Promise<string> {
    const cap = this.#maxResponseBytes;
    const tooLarge = () =>
      this.#error(
        operation,
        `the response is larger than maxResponseBytes (${cap} bytes)`,
      );
    const announced = Number(response.headers.get('content-length'));
    if (Number.isFinite(announced) && announced > cap) {
      await response.body?.cancel().catch(() => {});
      throw tooLarge();
    }
    if (!response.body) return '';
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > cap) {
          await reader.cancel().catch(() => {});
          throw tooLarge();
        }
        chunks.push(value);
      }
    } catch (error) {
      if (error instanceof ConnectorRequestError) throw error;
      throw this.#fetchError(operation, error);
    } finally {
      reader.releaseLock();
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  #fetchError(operation: string, error: unknown): Error {
    const name = (error as Error)?.name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      return this.#error(operation, `timed out after ${this.#timeoutMs} ms`);
    }
    return this.#error(
      operation,
      `request failed: ${(error as Error)?.message}`,
    );
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
