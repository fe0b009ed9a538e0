import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';

/** A request a fake plugin received. */
export interface RecordedRequest {
  method: string;
  path: string;
  authorization?: string;
  body: any;
}

/** What a route handler sees: the caller is the user the token speaks for. */
export interface FakeRequest {
  method: string;
  path: string;
  body: any;
  caller: string;
}

export type FakeAnswer = { status: number; body?: unknown };

/** Thrown by a route to answer with a Backstage error body. */
export class FakeHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorName: string,
    message: string,
  ) {
    super(message);
  }
}

export const inputError = (message: string) =>
  new FakeHttpError(400, 'InputError', message);
export const notFound = (message: string) =>
  new FakeHttpError(404, 'NotFoundError', message);
export const conflict = (message: string) =>
  new FakeHttpError(409, 'ConflictError', message);

/** The token a fake auth service issues on behalf of a user. */
export const onBehalfToken = (userEntityRef: string) =>
  `on-behalf:${userEntityRef}`;

/**
 * A fake `AuthService.getPluginRequestToken`: a token naming the initiator
 * (`on-behalf:user:default/amy`) and the target plugin it was asked for.
 */
export function fakeAuth() {
  const calls: Array<{ targetPluginId: string; subject: string }> = [];
  return {
    calls,
    async getPluginRequestToken(options: {
      onBehalfOf: { principal: unknown };
      targetPluginId: string;
    }) {
      const principal = options.onBehalfOf.principal as {
        type: string;
        userEntityRef?: string;
        subject?: string;
      };
      const subject =
        principal.type === 'user'
          ? principal.userEntityRef!
          : `service:${principal.subject}`;
      calls.push({ targetPluginId: options.targetPluginId, subject });
      return { token: onBehalfToken(subject) };
    },
  };
}

/**
 * A local HTTP server for a fake plugin: reads the bearer token the way a
 * plugin's httpAuth would (401 without one, `on-behalf:<ref>` gives the
 * caller), checks `permission` (403 "Not allowed: <permission>" like
 * ops-node's permission middleware), and answers errors with Backstage's
 * error body `{ error: { name, message }, request, response }`.
 */
export async function startFakePluginServer(options: {
  /** Answers a request (permission already checked); undefined: 404. */
  route: (
    req: FakeRequest,
    allow: (permission: string) => void,
  ) => FakeAnswer | undefined;
  /** Whether `caller` holds `permission`; default: everyone holds all. */
  isAllowed?: (permission: string, caller: string) => boolean;
}) {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const method = req.method ?? '';
      const path = req.url ?? '/';
      const send = (status: number, payload?: unknown) => {
        if (payload === undefined) {
          res.writeHead(status).end();
          return;
        }
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      const sendError = (status: number, name: string, message: string) =>
        send(status, {
          error: { name, message },
          request: { method, url: path },
          response: { statusCode: status },
        });

      const raw = Buffer.concat(chunks).toString('utf8');
      let body: any;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        sendError(400, 'InputError', 'Unexpected token in JSON body');
        return;
      }
      const authorization = req.headers.authorization;
      requests.push({ method, path, authorization, body });

      const match = /^Bearer on-behalf:(.+)$/.exec(authorization ?? '');
      if (!match) {
        sendError(401, 'AuthenticationError', 'Missing credentials');
        return;
      }
      const caller = match[1];
      const allow = (permission: string) => {
        if (options.isAllowed && !options.isAllowed(permission, caller)) {
          throw new FakeHttpError(
            403,
            'NotAllowedError',
            `Not allowed: ${permission}`,
          );
        }
      };
      try {
        const answer = options.route({ method, path, body, caller }, allow);
        if (!answer) {
          sendError(404, 'NotFoundError', `No route ${method} ${path}`);
          return;
        }
        send(answer.status, answer.body);
      } catch (error) {
        if (error instanceof FakeHttpError) {
          sendError(error.status, error.errorName, error.message);
          return;
        }
        sendError(500, 'Error', String(error));
      }
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) =>
        server.close(e => (e ? reject(e) : resolve())),
      ),
  };
}

/** A discovery service placing every plugin under `baseUrl/api/<pluginId>`. */
export function fakeDiscovery(baseUrl: string, externalBaseUrl = baseUrl) {
  return {
    getBaseUrl: async (pluginId: string) => `${baseUrl}/api/${pluginId}`,
    getExternalBaseUrl: async (pluginId: string) =>
      `${externalBaseUrl}/api/${pluginId}`,
  };
}
