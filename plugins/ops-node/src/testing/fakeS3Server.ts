import { createHash, randomUUID } from 'node:crypto';
import {
  IncomingHttpHeaders,
  IncomingMessage,
  Server,
  ServerResponse,
  createServer,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';

/** A multipart upload the fake holds between CreateMultipartUpload and Complete/Abort. */
export interface FakeS3Upload {
  bucket: string;
  key: string;
  /** `x-amz-checksum-algorithm` of CreateMultipartUpload, e.g. `CRC32`. */
  checksumAlgorithm?: string;
  parts: Map<number, { data: Buffer; etag: string; crc32?: string }>;
}

/**
 * A small in-memory S3 for tests, speaking the S3 REST protocol on
 * 127.0.0.1 with path-style addressing (`/<bucket>/<key>`): PutObject,
 * GetObject, HeadObject, DeleteObject, CopyObject, HeadBucket and multipart
 * uploads (Create, UploadPart, Complete, Abort), with S3's XML error bodies.
 * Like S3 it refuses parts but the last under `minPartSizeBytes`, a
 * completion whose part ETags or CRC32 checksums do not match, and a body
 * whose `x-amz-content-sha256` or `x-amz-checksum-crc32` differs from what
 * it computes. Each request must be signed (SigV4) with the expected access
 * key id; the signature itself is not verified.
 */
export interface FakeS3Server {
  /** e.g. `http://127.0.0.1:43210` */
  endpoint: string;
  /** Stored objects by bucket, then by object key. */
  buckets: Map<string, Map<string, Buffer>>;
  /** Multipart uploads neither completed nor aborted, by upload id. */
  uploads: Map<string, FakeS3Upload>;
  /** Every request received, in order. */
  requests: Array<{
    method: string;
    path: string;
    /** The query string without `?`, e.g. `uploads` or `partNumber=1&uploadId=...`. */
    query: string;
    headers: IncomingHttpHeaders;
  }>;
  close(): Promise<void>;
}

/** Starts a {@link FakeS3Server} on a free port of 127.0.0.1. */
export async function startFakeS3Server(options: {
  accessKeyId: string;
  buckets: string[];
  /** Smallest part but the last; default 5 MiB as in S3. */
  minPartSizeBytes?: number;
}): Promise<FakeS3Server> {
  const minPartSize = options.minPartSizeBytes ?? 5 * 1024 * 1024;
  const buckets = new Map(
    options.buckets.map(name => [name, new Map<string, Buffer>()]),
  );
  const uploads = new Map<string, FakeS3Upload>();
  const requests: FakeS3Server['requests'] = [];

  const server = createServer((req, res) => {
    readBody(req)
      .then(body => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        requests.push({
          method: req.method ?? '',
          path: url.pathname,
          query: url.search.slice(1),
          headers: req.headers,
        });
        handle(req, res, url, body);
      })
      .catch(() => sendError(res, 500, 'InternalError', 'Read failed.'));
  });

  function handle(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    body: Buffer,
  ) {
    const problem = checkRequest(req, body, options.accessKeyId);
    if (problem) {
      sendError(res, ...problem);
      return;
    }
    const [bucketName, ...rest] = url.pathname.slice(1).split('/');
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
    const query = url.searchParams;
    const objects = { name: decodeURIComponent(bucketName), bucket, key };

    if (query.has('uploads') && req.method === 'POST') {
      createUpload(req, res, objects);
    } else if (query.has('uploadId')) {
      handleUpload(req, res, objects, query, body);
    } else {
      handleObject(req, res, objects, body);
    }
  }

  type Target = { name: string; bucket: Map<string, Buffer>; key: string };

  function handleObject(
    req: IncomingMessage,
    res: ServerResponse,
    { bucket, key }: Target,
    body: Buffer,
  ) {
    switch (req.method) {
      case 'PUT': {
        const copySource = req.headers['x-amz-copy-source'];
        if (typeof copySource === 'string') {
          copyObject(res, bucket, key, copySource);
          return;
        }
        bucket.set(key, body);
        res.writeHead(200, { ETag: etag(body) }).end();
        return;
      }
      case 'GET':
      case 'HEAD': {
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
        res.writeHead(200, {
          'Content-Type': 'application/octet-stream',
          'Content-Length': object.length,
          ETag: etag(object),
        });
        res.end(req.method === 'GET' ? object : undefined);
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

  function copyObject(
    res: ServerResponse,
    bucket: Map<string, Buffer>,
    key: string,
    copySource: string,
  ) {
    const [sourceBucketName, ...sourceKey] = decodeURIComponent(
      copySource.replace(/^\//, ''),
    ).split('/');
    const source = buckets
      .get(sourceBucketName)
      ?.get(sourceKey.join('/').split('?')[0]);
    if (!source) {
      sendError(res, 404, 'NoSuchKey', 'The specified key does not exist.');
      return;
    }
    bucket.set(key, Buffer.from(source));
    sendXml(
      res,
      200,
      `<CopyObjectResult><LastModified>${new Date().toISOString()}</LastModified><ETag>${escapeXml(
        etag(source),
      )}</ETag></CopyObjectResult>`,
    );
  }

  function createUpload(
    req: IncomingMessage,
    res: ServerResponse,
    { name, key }: Target,
  ) {
    const uploadId = randomUUID();
    const algorithm = req.headers['x-amz-checksum-algorithm'];
    uploads.set(uploadId, {
      bucket: name,
      key,
      checksumAlgorithm: typeof algorithm === 'string' ? algorithm : undefined,
      parts: new Map(),
    });
    sendXml(
      res,
      200,
      `<InitiateMultipartUploadResult><Bucket>${escapeXml(
        name,
      )}</Bucket><Key>${escapeXml(
        key,
      )}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`,
    );
  }

  function handleUpload(
    req: IncomingMessage,
    res: ServerResponse,
    { name, bucket, key }: Target,
    query: URLSearchParams,
    body: Buffer,
  ) {
    const uploadId = query.get('uploadId')!;
    const upload = uploads.get(uploadId);
    if (!upload || upload.bucket !== name || upload.key !== key) {
      sendError(
        res,
        404,
        'NoSuchUpload',
        'The specified upload does not exist.',
      );
      return;
    }
    switch (req.method) {
      case 'PUT': {
        const partNumber = Number(query.get('partNumber'));
        if (!Number.isInteger(partNumber) || partNumber < 1) {
          sendError(res, 400, 'InvalidArgument', 'Bad part number.');
          return;
        }
        const checksum = req.headers['x-amz-checksum-crc32'];
        const crc = typeof checksum === 'string' ? checksum : undefined;
        if ((crc === undefined) !== (upload.checksumAlgorithm === undefined)) {
          sendError(
            res,
            400,
            'InvalidRequest',
            `Checksum Type mismatch occurred, expected checksum Type: ${
              upload.checksumAlgorithm?.toLowerCase() ?? 'null'
            }, actual checksum Type: ${crc ? 'crc32' : 'null'}`,
          );
          return;
        }
        const part = { data: body, etag: etag(body), crc32: crc };
        upload.parts.set(partNumber, part);
        res
          .writeHead(200, {
            ETag: part.etag,
            ...(crc && { 'x-amz-checksum-crc32': crc }),
          })
          .end();
        return;
      }
      case 'POST': {
        const listed = parseCompletedParts(body.toString('utf8'));
        const problem = checkCompletion(upload, listed, minPartSize);
        if (problem) {
          sendError(res, ...problem);
          return;
        }
        const data = Buffer.concat(
          listed.map(({ number }) => upload.parts.get(number)!.data),
        );
        bucket.set(key, data);
        uploads.delete(uploadId);
        const multipartEtag = `"${createHash('md5')
          .update(
            Buffer.concat(
              listed.map(({ etag: e }) =>
                Buffer.from(e.replace(/"/g, ''), 'hex'),
              ),
            ),
          )
          .digest('hex')}-${listed.length}"`;
        sendXml(
          res,
          200,
          `<CompleteMultipartUploadResult><Bucket>${escapeXml(
            name,
          )}</Bucket><Key>${escapeXml(key)}</Key><ETag>${escapeXml(
            multipartEtag,
          )}</ETag></CompleteMultipartUploadResult>`,
        );
        return;
      }
      case 'DELETE':
        uploads.delete(uploadId);
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
    uploads,
    requests,
    close: () => closeServer(server),
  };
}

type S3Error = [status: number, code: string, message: string];

/** Signature, payload hash and CRC32 checks every request passes first. */
function checkRequest(
  req: IncomingMessage,
  body: Buffer,
  accessKeyId: string,
): S3Error | undefined {
  const credential = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\//.exec(
    req.headers.authorization ?? '',
  );
  if (!credential) return [403, 'AccessDenied', 'Access Denied'];
  if (credential[1] !== accessKeyId) {
    return [
      403,
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
    ];
  }
  if (req.headers['content-encoding']?.includes('aws-chunked')) {
    return [501, 'NotImplemented', 'aws-chunked is not supported.'];
  }
  const declared = req.headers['x-amz-content-sha256'];
  if (
    typeof declared === 'string' &&
    /^[0-9a-f]{64}$/.test(declared) &&
    declared !== createHash('sha256').update(body).digest('hex')
  ) {
    return [
      400,
      'XAmzContentSHA256Mismatch',
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    ];
  }
  const crc = req.headers['x-amz-checksum-crc32'];
  if (typeof crc === 'string' && crc !== crc32Base64(body)) {
    return [
      400,
      'BadDigest',
      'The CRC32 you specified did not match the calculated checksum.',
    ];
  }
  return undefined;
}

interface ListedPart {
  number: number;
  etag: string;
  crc32?: string;
}

/** The `<Part>` entries of a CompleteMultipartUpload body. */
function parseCompletedParts(xml: string): ListedPart[] {
  const tag = (part: string, name: string) =>
    new RegExp(`<${name}>([^<]*)</${name}>`).exec(part)?.[1];
  return [...xml.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map(([, part]) => ({
    number: Number(tag(part, 'PartNumber')),
    etag: unescapeXml(tag(part, 'ETag') ?? ''),
    crc32: tag(part, 'ChecksumCRC32'),
  }));
}

function checkCompletion(
  upload: FakeS3Upload,
  listed: ListedPart[],
  minPartSize: number,
): S3Error | undefined {
  if (listed.length === 0) {
    return [400, 'MalformedXML', 'The XML you provided was not well-formed.'];
  }
  for (const [i, entry] of listed.entries()) {
    if (i > 0 && entry.number <= listed[i - 1].number) {
      return [
        400,
        'InvalidPartOrder',
        'The list of parts was not in ascending order.',
      ];
    }
    const part = upload.parts.get(entry.number);
    if (!part || part.etag !== entry.etag) {
      return [
        400,
        'InvalidPart',
        "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
      ];
    }
    if (upload.checksumAlgorithm && entry.crc32 !== part.crc32) {
      return [
        400,
        'InvalidPart',
        `The upload was created using a crc32 checksum. The complete request referenced part ${entry.number} without its checksum.`,
      ];
    }
    if (i < listed.length - 1 && part.data.length < minPartSize) {
      return [
        400,
        'EntityTooSmall',
        'Your proposed upload is smaller than the minimum allowed object size.',
      ];
    }
  }
  return undefined;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendXml(res: ServerResponse, status: number, xml: string) {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
  res.writeHead(status, {
    'Content-Type': 'application/xml',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  key?: string,
) {
  sendXml(
    res,
    status,
    [
      `<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message>`,
      key === undefined ? '' : `<Key>${escapeXml(key)}</Key>`,
      `<RequestId>${randomUUID()}</RequestId></Error>`,
    ].join(''),
  );
}

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function unescapeXml(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function crc32Base64(data: Buffer): string {
  const value = Buffer.alloc(4);
  value.writeUInt32BE(crc32(data));
  return value.toString('base64');
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
