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

/** An Object Lock retention: the version cannot be removed before `retainUntil`. */
export interface FakeS3Lock {
  mode: 'GOVERNANCE' | 'COMPLIANCE';
  retainUntil: Date;
}

/** One version of an object in a bucket with Object Lock (hence versioning) enabled. */
export interface FakeS3Version {
  versionId: string;
  data: Buffer;
  /** A delete marker: the object reads as missing while it is the newest. */
  deleteMarker: boolean;
  lock?: FakeS3Lock;
  /** User metadata (`x-amz-meta-<name>`), by name. */
  metadata: Record<string, string>;
}

/** A multipart upload the fake holds between CreateMultipartUpload and Complete/Abort. */
export interface FakeS3Upload {
  bucket: string;
  key: string;
  /** `x-amz-checksum-algorithm` of CreateMultipartUpload, e.g. `CRC32`. */
  checksumAlgorithm?: string;
  /** Object Lock parameters of CreateMultipartUpload: every part then needs Content-MD5 or a checksum. */
  lock?: FakeS3Lock;
  metadata: Record<string, string>;
  parts: Map<number, { data: Buffer; etag: string; crc32?: string }>;
}

/** The headers S3 accepts as the integrity check Object Lock writes require. */
const INTEGRITY_HEADERS = [
  'content-md5',
  'x-amz-checksum-crc32',
  'x-amz-checksum-crc32c',
  'x-amz-checksum-crc64nvme',
  'x-amz-checksum-sha1',
  'x-amz-checksum-sha256',
];

const LOCKED = 'Access Denied because object protected by object lock.';
const MISSING_INTEGRITY =
  'Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters';

/**
 * A small in-memory S3 for tests, speaking the S3 REST protocol on
 * 127.0.0.1 with path-style addressing (`/<bucket>/<key>`): PutObject,
 * GetObject, HeadObject, DeleteObject, CopyObject, HeadBucket and multipart
 * uploads (Create, UploadPart, Complete, Abort), with S3's XML error bodies.
 * Like S3 it refuses parts but the last under `minPartSizeBytes`, a
 * completion whose part ETags or CRC32 checksums do not match, and a body
 * whose `x-amz-content-sha256` or `x-amz-checksum-crc32` differs from what
 * it computes. Each request must be signed (SigV4) with the expected access
 * key id; the signature itself is not verified. A `Content-MD5` is checked
 * against the body (BadDigest).
 *
 * Object Lock, as S3 documents it, in buckets created with it enabled
 * (`objectLockBuckets`, or CreateBucket with
 * `x-amz-bucket-object-lock-enabled: true`), which are versioned: a PUT
 * (or CreateMultipartUpload, or copy) with `x-amz-object-lock-mode` and
 * `x-amz-object-lock-retain-until-date` (ISO 8601, in the future) stores a
 * version with that retention; a PUT or UploadPart of a locked write without
 * `Content-MD5` or an `x-amz-checksum-*` header is refused (400
 * InvalidRequest); lock headers on a bucket without Object Lock are refused;
 * DELETE without `versionId` adds a delete marker, DELETE of a locked
 * version before its date is refused (403 AccessDenied; GOVERNANCE yields
 * to `x-amz-bypass-governance-retention: true`); PutObjectRetention (`PUT
 * ?retention`) extends a retention and refuses to shorten a COMPLIANCE one
 * or to weaken it to GOVERNANCE; GetObjectRetention (`GET ?retention`).
 * HEAD and GET answer `x-amz-version-id`, the lock headers and
 * `x-amz-meta-*`. Time is `now()`, which tests may move.
 */
export interface FakeS3Server {
  /** e.g. `http://127.0.0.1:43210` */
  endpoint: string;
  /**
   * Stored objects by bucket, then by object key: in a bucket with Object
   * Lock, the newest version's content (absent behind a delete marker).
   */
  buckets: Map<string, Map<string, Buffer>>;
  /** Names of the buckets with Object Lock enabled. */
  objectLockBuckets: Set<string>;
  /** Every version, oldest first, by bucket (Object Lock buckets only), then key. */
  versions: Map<string, Map<string, FakeS3Version[]>>;
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
  /** Buckets created with Object Lock enabled (and so versioned); also listed in `buckets` or not. */
  objectLockBuckets?: string[];
  /** Smallest part but the last; default 5 MiB as in S3. */
  minPartSizeBytes?: number;
  /** The fake's clock, deciding whether a retention has run out. Default: the system clock. */
  now?: () => Date;
}): Promise<FakeS3Server> {
  const minPartSize = options.minPartSizeBytes ?? 5 * 1024 * 1024;
  const now = options.now ?? (() => new Date());
  const lockBucketNames = options.objectLockBuckets ?? [];
  const buckets = new Map(
    [...options.buckets, ...lockBucketNames].map(name => [
      name,
      new Map<string, Buffer>(),
    ]),
  );
  const objectLockBuckets = new Set(lockBucketNames);
  const versions = new Map(
    lockBucketNames.map(name => [name, new Map<string, FakeS3Version[]>()]),
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
    if (rest.join('/') === '' && req.method === 'PUT') {
      createBucket(req, res, decodeURIComponent(bucketName));
      return;
    }
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
    } else if (query.has('retention')) {
      handleRetention(req, res, objects, query, body);
    } else {
      handleObject(req, res, objects, query, body);
    }
  }

  type Target = { name: string; bucket: Map<string, Buffer>; key: string };

  function createBucket(
    req: IncomingMessage,
    res: ServerResponse,
    name: string,
  ) {
    if (buckets.has(name)) {
      sendError(
        res,
        409,
        'BucketAlreadyOwnedByYou',
        'Your previous request to create the named bucket succeeded and you already own it.',
      );
      return;
    }
    buckets.set(name, new Map());
    if (req.headers['x-amz-bucket-object-lock-enabled'] === 'true') {
      objectLockBuckets.add(name);
      versions.set(name, new Map());
    }
    res.writeHead(200, { Location: `/${name}` }).end();
  }

  /** The versions of `key` in an Object Lock bucket (created empty). */
  function versionsOf(name: string, key: string): FakeS3Version[] {
    const byKey = versions.get(name)!;
    let list = byKey.get(key);
    if (!list) {
      list = [];
      byKey.set(key, list);
    }
    return list;
  }

  /** Makes `buckets` show the newest version of `key` again. */
  function syncCurrent(name: string, key: string) {
    const list = versionsOf(name, key);
    const newest = list[list.length - 1];
    if (!newest) versions.get(name)!.delete(key);
    if (newest && !newest.deleteMarker)
      buckets.get(name)!.set(key, newest.data);
    else buckets.get(name)!.delete(key);
  }

  /** Stores an object (a new version in an Object Lock bucket); answers its version id. */
  function writeObject(
    name: string,
    key: string,
    data: Buffer,
    lock: FakeS3Lock | undefined,
    metadata: Record<string, string>,
  ): string | undefined {
    if (!objectLockBuckets.has(name)) {
      buckets.get(name)!.set(key, data);
      return undefined;
    }
    const versionId = newVersionId();
    versionsOf(name, key).push({
      versionId,
      data,
      deleteMarker: false,
      lock,
      metadata,
    });
    syncCurrent(name, key);
    return versionId;
  }

  /** The version a request addresses: `versionId`, else the newest (undefined behind a delete marker). */
  function addressed(
    name: string,
    key: string,
    query: URLSearchParams,
  ): FakeS3Version | undefined {
    if (!objectLockBuckets.has(name)) {
      const data = buckets.get(name)!.get(key);
      return (
        data && {
          versionId: 'null',
          data,
          deleteMarker: false,
          metadata: {},
        }
      );
    }
    const list = versions.get(name)!.get(key) ?? [];
    const versionId = query.get('versionId');
    const version =
      versionId === null
        ? list[list.length - 1]
        : list.find(v => v.versionId === versionId);
    return version?.deleteMarker ? undefined : version;
  }

  /** Object Lock parameters of a write, checked as S3 checks them. */
  function readLock(
    req: IncomingMessage,
    name: string,
  ): { lock?: FakeS3Lock; error?: S3Error } {
    const mode = req.headers['x-amz-object-lock-mode'];
    const until = req.headers['x-amz-object-lock-retain-until-date'];
    if (mode === undefined && until === undefined) return {};
    if (!objectLockBuckets.has(name)) {
      return {
        error: [
          400,
          'InvalidRequest',
          'Bucket is missing Object Lock Configuration',
        ],
      };
    }
    if (typeof mode !== 'string' || typeof until !== 'string') {
      return {
        error: [
          400,
          'InvalidArgument',
          'x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied',
        ],
      };
    }
    if (mode !== 'GOVERNANCE' && mode !== 'COMPLIANCE') {
      return { error: [400, 'InvalidArgument', 'Unknown wormMode directive.'] };
    }
    const retainUntil = parseIsoDate(until);
    if (!retainUntil) {
      return {
        error: [
          400,
          'InvalidArgument',
          'The retain until date must be provided in ISO 8601 format',
        ],
      };
    }
    if (retainUntil.getTime() <= now().getTime()) {
      return {
        error: [
          400,
          'InvalidArgument',
          'The retain until date must be in the future!',
        ],
      };
    }
    return { lock: { mode, retainUntil } };
  }

  function handleObject(
    req: IncomingMessage,
    res: ServerResponse,
    { name, bucket, key }: Target,
    query: URLSearchParams,
    body: Buffer,
  ) {
    switch (req.method) {
      case 'PUT': {
        const { lock, error } = readLock(req, name);
        if (error) {
          sendError(res, ...error);
          return;
        }
        const copySource = req.headers['x-amz-copy-source'];
        if (typeof copySource === 'string') {
          copyObject(req, res, { name, bucket, key }, copySource, lock);
          return;
        }
        if (lock && !hasIntegrityHeader(req)) {
          sendError(res, 400, 'InvalidRequest', MISSING_INTEGRITY);
          return;
        }
        const versionId = writeObject(name, key, body, lock, metadataOf(req));
        res
          .writeHead(200, {
            ETag: etag(body),
            ...(versionId && { 'x-amz-version-id': versionId }),
          })
          .end();
        return;
      }
      case 'GET':
      case 'HEAD': {
        const version = addressed(name, key, query);
        if (!version) {
          sendError(
            res,
            404,
            'NoSuchKey',
            'The specified key does not exist.',
            key,
          );
          return;
        }
        const object = version.data;
        res.writeHead(200, {
          'Content-Type': 'application/octet-stream',
          'Content-Length': object.length,
          ETag: etag(object),
          ...(objectLockBuckets.has(name) && {
            'x-amz-version-id': version.versionId,
          }),
          ...(version.lock && {
            'x-amz-object-lock-mode': version.lock.mode,
            'x-amz-object-lock-retain-until-date':
              version.lock.retainUntil.toISOString(),
          }),
          ...Object.fromEntries(
            Object.entries(version.metadata).map(([k, v]) => [
              `x-amz-meta-${k}`,
              v,
            ]),
          ),
        });
        res.end(req.method === 'GET' ? object : undefined);
        return;
      }
      case 'DELETE':
        if (objectLockBuckets.has(name)) {
          deleteVersioned(req, res, name, key, query);
          return;
        }
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

  function deleteVersioned(
    req: IncomingMessage,
    res: ServerResponse,
    name: string,
    key: string,
    query: URLSearchParams,
  ) {
    const versionId = query.get('versionId');
    if (versionId === null) {
      // A versioned bucket keeps the object: a delete marker hides it.
      const marker = newVersionId();
      versionsOf(name, key).push({
        versionId: marker,
        data: Buffer.alloc(0),
        deleteMarker: true,
        metadata: {},
      });
      syncCurrent(name, key);
      res
        .writeHead(204, {
          'x-amz-delete-marker': 'true',
          'x-amz-version-id': marker,
        })
        .end();
      return;
    }
    const list = versions.get(name)!.get(key) ?? [];
    const index = list.findIndex(v => v.versionId === versionId);
    const version = list[index];
    if (version?.lock && version.lock.retainUntil.getTime() > now().getTime()) {
      const bypass =
        version.lock.mode === 'GOVERNANCE' &&
        req.headers['x-amz-bypass-governance-retention'] === 'true';
      if (!bypass) {
        sendError(res, 403, 'AccessDenied', LOCKED);
        return;
      }
    }
    if (version) {
      list.splice(index, 1);
      syncCurrent(name, key);
    }
    res
      .writeHead(204, {
        'x-amz-version-id': versionId,
        ...(version?.deleteMarker && { 'x-amz-delete-marker': 'true' }),
      })
      .end();
  }

  function handleRetention(
    req: IncomingMessage,
    res: ServerResponse,
    { name, key }: Target,
    query: URLSearchParams,
    body: Buffer,
  ) {
    if (!objectLockBuckets.has(name)) {
      sendError(
        res,
        400,
        'InvalidRequest',
        'Bucket is missing Object Lock Configuration',
      );
      return;
    }
    const version = addressed(name, key, query);
    if (!version) {
      sendError(
        res,
        404,
        'NoSuchKey',
        'The specified key does not exist.',
        key,
      );
      return;
    }
    if (req.method === 'GET') {
      if (!version.lock) {
        sendError(
          res,
          404,
          'NoSuchObjectLockConfiguration',
          'The specified object does not have a ObjectLock configuration',
        );
        return;
      }
      sendXml(
        res,
        200,
        `<Retention xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Mode>${
          version.lock.mode
        }</Mode><RetainUntilDate>${version.lock.retainUntil.toISOString()}</RetainUntilDate></Retention>`,
      );
      return;
    }
    if (req.method !== 'PUT') {
      sendError(
        res,
        405,
        'MethodNotAllowed',
        'The specified method is not allowed against this resource.',
      );
      return;
    }
    const xml = body.toString('utf8');
    const mode = /<Mode>([^<]*)<\/Mode>/.exec(xml)?.[1];
    const until = parseIsoDate(
      /<RetainUntilDate>([^<]*)<\/RetainUntilDate>/.exec(xml)?.[1] ?? '',
    );
    if ((mode !== 'GOVERNANCE' && mode !== 'COMPLIANCE') || !until) {
      sendError(
        res,
        400,
        'MalformedXML',
        'The XML you provided was not well-formed.',
      );
      return;
    }
    if (until.getTime() <= now().getTime()) {
      sendError(
        res,
        400,
        'InvalidArgument',
        'The retain until date must be in the future!',
      );
      return;
    }
    const current = version.lock;
    if (current && current.retainUntil.getTime() > now().getTime()) {
      const shorter = until.getTime() < current.retainUntil.getTime();
      const weaker = current.mode === 'COMPLIANCE' && mode !== 'COMPLIANCE';
      const bypass =
        current.mode === 'GOVERNANCE' &&
        req.headers['x-amz-bypass-governance-retention'] === 'true';
      if ((shorter || weaker) && !bypass) {
        sendError(res, 403, 'AccessDenied', LOCKED);
        return;
      }
    }
    version.lock = { mode, retainUntil: until };
    res.writeHead(200).end();
  }

  function copyObject(
    req: IncomingMessage,
    res: ServerResponse,
    { name, key }: Target,
    copySource: string,
    lock: FakeS3Lock | undefined,
  ) {
    const [sourceBucketName, ...sourceKey] = decodeURIComponent(
      copySource.replace(/^\//, ''),
    ).split('/');
    const source = buckets.has(sourceBucketName)
      ? addressed(
          sourceBucketName,
          sourceKey.join('/').split('?')[0],
          new URLSearchParams(),
        )
      : undefined;
    if (!source) {
      sendError(res, 404, 'NoSuchKey', 'The specified key does not exist.');
      return;
    }
    const metadata =
      req.headers['x-amz-metadata-directive'] === 'REPLACE'
        ? metadataOf(req)
        : { ...source.metadata };
    const versionId = writeObject(
      name,
      key,
      Buffer.from(source.data),
      lock,
      metadata,
    );
    if (versionId) res.setHeader('x-amz-version-id', versionId);
    sendXml(
      res,
      200,
      `<CopyObjectResult><LastModified>${new Date().toISOString()}</LastModified><ETag>${escapeXml(
        etag(source.data),
      )}</ETag></CopyObjectResult>`,
    );
  }

  function createUpload(
    req: IncomingMessage,
    res: ServerResponse,
    { name, key }: Target,
  ) {
    const { lock, error } = readLock(req, name);
    if (error) {
      sendError(res, ...error);
      return;
    }
    const uploadId = randomUUID();
    const algorithm = req.headers['x-amz-checksum-algorithm'];
    uploads.set(uploadId, {
      bucket: name,
      key,
      checksumAlgorithm: typeof algorithm === 'string' ? algorithm : undefined,
      lock,
      metadata: metadataOf(req),
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
    { name, key }: Target,
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
        if (upload.lock && !hasIntegrityHeader(req)) {
          sendError(res, 400, 'InvalidRequest', MISSING_INTEGRITY);
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
        const versionId = writeObject(
          name,
          key,
          data,
          upload.lock,
          upload.metadata,
        );
        uploads.delete(uploadId);
        if (versionId) res.setHeader('x-amz-version-id', versionId);
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
    objectLockBuckets,
    versions,
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
  const md5 = req.headers['content-md5'];
  if (typeof md5 === 'string') {
    if (Buffer.from(md5, 'base64').length !== 16) {
      return [
        400,
        'InvalidDigest',
        'The Content-MD5 you specified was invalid.',
      ];
    }
    if (md5 !== createHash('md5').update(body).digest('base64')) {
      return [
        400,
        'BadDigest',
        'The Content-MD5 you specified did not match what we received.',
      ];
    }
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

/** Whether a write carries Content-MD5 or an `x-amz-checksum-*` value. */
function hasIntegrityHeader(req: IncomingMessage): boolean {
  return INTEGRITY_HEADERS.some(name => typeof req.headers[name] === 'string');
}

/** User metadata of a write: its `x-amz-meta-*` headers, by name. */
function metadataOf(req: IncomingMessage): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith('x-amz-meta-') && typeof value === 'string') {
      metadata[name.slice('x-amz-meta-'.length)] = value;
    }
  }
  return metadata;
}

/** An ISO 8601 date-time (with a zone), or undefined. */
function parseIsoDate(text: string): Date | undefined {
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(
      text,
    )
  ) {
    return undefined;
  }
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function newVersionId(): string {
  return randomUUID().replace(/-/g, '');
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
