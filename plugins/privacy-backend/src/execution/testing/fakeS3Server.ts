import { createHash, randomUUID } from 'node:crypto';
import {
  IncomingHttpHeaders,
  IncomingMessage,
  Server,
  ServerResponse,
  createServer,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small in-memory S3 for tests, speaking the S3 REST protocol on
 * 127.0.0.1: PutObject, GetObject, DeleteObject and HeadBucket with
 * path-style addressing (`/<bucket>/<key>`), S3's XML error bodies, and a
 * check that each request is signed (SigV4) with the expected access key id.
 * The signature itself is not verified.
 */
export interface FakeS3Server {
  /** e.g. `http://127.0.0.1:43210` */
  endpoint: string;
  /** Stored objects by bucket, then by object key. */
  buckets: Map<string, Map<string, Buffer>>;
  /** Every request received, in order. */
  requests: Array<{
    method: string;
    path: string;
    headers: IncomingHttpHeaders;
  }>;
  close(): Promise<void>;
}

export async function startFakeS3Server(options: {
  accessKeyId: string;
  buckets: string[];
}): Promise<FakeS3Server> {
  const buckets = new Map(
    options.buckets.map(name => [name, new Map<string, Buffer>()]),
  );
  const requests: FakeS3Server['requests'] = [];

  const server = createServer((req, res) => {
    readBody(req)
      .then(body => {
        const path = new URL(req.url ?? '/', 'http://localhost').pathname;
        requests.push({ method: req.method ?? '', path, headers: req.headers });
        handle(req, res, path, body);
      })
      .catch(() => sendError(res, 500, 'InternalError', 'Read failed.'));
  });

  function handle(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    body: Buffer,
  ) {
    const credential = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\//.exec(
      req.headers.authorization ?? '',
    );
    if (!credential) {
      sendError(res, 403, 'AccessDenied', 'Access Denied');
      return;
    }
    if (credential[1] !== options.accessKeyId) {
      sendError(
        res,
        403,
        'InvalidAccessKeyId',
        'The AWS Access Key Id you provided does not exist in our records.',
      );
      return;
    }
    const declared = req.headers['x-amz-content-sha256'];
    if (
      typeof declared === 'string' &&
      /^[0-9a-f]{64}$/.test(declared) &&
      declared !== sha256(body)
    ) {
      sendError(
        res,
        400,
        'XAmzContentSHA256Mismatch',
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
      );
      return;
    }

    const [bucketName, ...rest] = path.slice(1).split('/');
    const bucket = buckets.get(decodeURIComponent(bucketName));
    if (!bucket) {
      sendError(
        res,
        404,
        'NoSuchBucket',
        'The specified bucket does not exist',
      );
      return;
    }
    const key = decodeURIComponent(rest.join('/'));
    if (key === '') {
      if (req.method === 'HEAD') {
        res.writeHead(200).end();
      } else {
        sendError(res, 501, 'NotImplemented', 'Only HeadBucket is supported.');
      }
      return;
    }

    switch (req.method) {
      case 'PUT': {
        if (req.headers['content-encoding']?.includes('aws-chunked')) {
          sendError(
            res,
            501,
            'NotImplemented',
            'aws-chunked is not supported.',
          );
          return;
        }
        bucket.set(key, body);
        res.writeHead(200, { ETag: etag(body) }).end();
        return;
      }
      case 'GET': {
        const object = bucket.get(key);
        if (!object) {
          sendError(
            res,
            404,
            'NoSuchKey',
            'The specified key does not exist.',
            key,
          );
          return;
        }
        res
          .writeHead(200, {
            'Content-Type': 'application/octet-stream',
            'Content-Length': object.length,
            ETag: etag(object),
          })
          .end(object);
        return;
      }
      case 'DELETE':
        bucket.delete(key);
        res.writeHead(204).end();
        return;
      default:
        sendError(
          res,
          405,
          'MethodNotAllowed',
          'The specified method is not allowed against this resource.',
        );
    }
  }

  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    buckets,
    requests,
    close: () => closeServer(server),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  key?: string,
) {
  const body = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message>`,
    key === undefined ? '' : `<Key>${escapeXml(key)}</Key>`,
    `<RequestId>${randomUUID()}</RequestId></Error>`,
  ].join('');
  res.writeHead(status, {
    'Content-Type': 'application/xml',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function etag(data: Buffer): string {
  return `"${createHash('md5').update(data).digest('hex')}"`;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) =>
    server.close(error => (error ? reject(error) : resolve())),
  );
}
