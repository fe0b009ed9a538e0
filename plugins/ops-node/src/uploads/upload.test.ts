import { InputError } from '@backstage/errors';
import express, { ErrorRequestHandler } from 'express';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import request from 'supertest';
import { plainFileNameSchema, readUpload, ReadUploadOptions } from './upload';

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

/** An app whose `POST /upload` reads an upload and answers what it read. */
function appWith(options: ReadUploadOptions) {
  const app = express();
  app.post('/upload', async (req, res, next) => {
    try {
      const upload = await readUpload(req, options);
      try {
        res.status(201).json({
          metadata: upload.metadata ?? null,
          hasMetadata: upload.metadata !== undefined,
          fileName: upload.fileName,
          mediaType: upload.mediaType,
          sizeBytes: upload.file.sizeBytes,
          sha256: upload.file.sha256,
          content: await text(upload.file.open()),
        });
      } finally {
        await upload.file.remove();
      }
    } catch (error) {
      next(error);
    }
  });
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    res
      .status(error instanceof InputError ? 400 : 500)
      .json({ error: { name: error.name, message: error.message } });
  };
  app.use(onError);
  return app;
}

/** A multipart body written by hand, so a file name is sent exactly as given. */
function rawMultipart(
  parts: {
    name: string;
    /** Sent as `filename="..."`, exactly as given. */
    filename?: string;
    /** Sent as RFC 5987 `filename*=UTF-8''...`, percent-encoded. */
    filenameStar?: string;
    type?: string;
    data: string;
  }[],
) {
  const boundary = 'ops-node-upload-test-boundary';
  const body = Buffer.concat([
    ...parts.map(part =>
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${
          part.filename !== undefined ? `; filename="${part.filename}"` : ''
        }${
          part.filenameStar !== undefined
            ? `; filename*=UTF-8''${encodeURIComponent(part.filenameStar)}`
            : ''
        }\r\n${part.type ? `Content-Type: ${part.type}\r\n` : ''}\r\n${
          part.data
        }\r\n`,
        'utf8',
      ),
    ),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

const base = {
  maxBytes: 64,
  mediaTypes: ['text/plain', 'application/pdf'],
};

describe('readUpload', () => {
  const originalTmp = process.env.TMPDIR;
  let spoolTmp: string;

  beforeEach(async () => {
    spoolTmp = await mkdtemp(join(tmpdir(), 'ops-node-upload-test-'));
    // Where spool makes its temporary folders (os.tmpdir() reads TMPDIR).
    process.env.TMPDIR = spoolTmp;
  });

  afterEach(async () => {
    if (originalTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = originalTmp;
    await rm(spoolTmp, { recursive: true, force: true });
  });

  const leftInTmp = () => readdir(spoolTmp);

  it('reads one file with metadata none', async () => {
    const res = await request(appWith({ ...base, metadata: 'none' }))
      .post('/upload')
      .attach('file', Buffer.from('hello upload'), {
        filename: 'notes.txt',
        contentType: 'text/plain',
      });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      metadata: null,
      hasMetadata: false,
      fileName: 'notes.txt',
      mediaType: 'text/plain',
      sizeBytes: 12,
      sha256: createHash('sha256').update('hello upload').digest('hex'),
      content: 'hello upload',
    });
    expect(await leftInTmp()).toEqual([]);
  });

  it('reads one file with its metadata when metadata is required', async () => {
    const res = await request(appWith({ ...base, metadata: 'required' }))
      .post('/upload')
      .field('metadata', JSON.stringify({ title: 'A policy' }))
      .attach('file', Buffer.from('%PDF-1.7'), {
        filename: 'policy.pdf',
        contentType: 'application/pdf',
      });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      metadata: { title: 'A policy' },
      hasMetadata: true,
      fileName: 'policy.pdf',
      mediaType: 'application/pdf',
      content: '%PDF-1.7',
    });
    expect(await leftInTmp()).toEqual([]);
  });

  it('refuses a metadata field as unexpected when metadata is none', async () => {
    const res = await request(appWith({ ...base, metadata: 'none' }))
      .post('/upload')
      .field('metadata', JSON.stringify({ title: 'A policy' }))
      .attach('file', Buffer.from('hello'), {
        filename: 'notes.txt',
        contentType: 'text/plain',
      });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/Unexpected metadata field/);
    expect(res.body.error.message).not.toMatch(/evidence/i);
    expect(await leftInTmp()).toEqual([]);
  });

  it('refuses an upload without metadata when metadata is required', async () => {
    const res = await request(appWith({ ...base, metadata: 'required' }))
      .post('/upload')
      .attach('file', Buffer.from('hello'), {
        filename: 'notes.txt',
        contentType: 'text/plain',
      });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('The upload has no metadata field');
    expect(await leftInTmp()).toEqual([]);
  });

  it('refuses metadata that is not JSON', async () => {
    const res = await request(appWith({ ...base, metadata: 'required' }))
      .post('/upload')
      .field('metadata', '{not json')
      .attach('file', Buffer.from('hello'), {
        filename: 'notes.txt',
        contentType: 'text/plain',
      });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('The metadata field is not JSON');
    expect(await leftInTmp()).toEqual([]);
  });

  it('refuses an upload with no file', async () => {
    const res = await request(appWith({ ...base, metadata: 'required' }))
      .post('/upload')
      .field('metadata', '{}');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/no file/);
  });

  it('refuses two files', async () => {
    const res = await request(appWith({ ...base, metadata: 'none' }))
      .post('/upload')
      .attach('file', Buffer.from('one'), {
        filename: 'one.txt',
        contentType: 'text/plain',
      })
      .attach('file', Buffer.from('two'), {
        filename: 'two.txt',
        contentType: 'text/plain',
      });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/exactly one file/);
    expect(await leftInTmp()).toEqual([]);
  });

  it('refuses a file in a field not named file', async () => {
    const res = await request(appWith({ ...base, metadata: 'none' }))
      .post('/upload')
      .attach('document', Buffer.from('one'), {
        filename: 'one.txt',
        contentType: 'text/plain',
      });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/field named file/);
  });

  it.each([
    ['a folder', { filename: '../../etc/passwd' }],
    ['a Windows folder', { filename: 'C:\\temp\\notes.txt' }],
    ['a tab', { filename: 'notes\t.txt' }],
    ['a NUL', { filenameStar: 'notes\u0000.txt' }],
    ['a control character', { filenameStar: 'notes\x1b[31m.txt' }],
    ['a name over 200 characters', { filename: `${'a'.repeat(201)}.txt` }],
    ['a dot-dot name', { filename: '..' }],
  ])('refuses a hostile file name: %s', async (_what, name) => {
    const { body, contentType } = rawMultipart([
      { name: 'file', ...name, type: 'text/plain', data: 'hello' },
    ]);
    const res = await request(appWith({ ...base, metadata: 'none' }))
      .post('/upload')
      .set('Content-Type', contentType)
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^Refused file name/);
    expect(await leftInTmp()).toEqual([]);
  });

  it('applies a stricter file-name rule when given one', async () => {
    const onlyCsv = plainFileNameSchema.refine(
      name => name.endsWith('.csv'),
      'must end in .csv',
    );
    const app = appWith({
      ...base,
      metadata: 'none',
      fileName: onlyCsv,
    });
    const refused = await request(app)
      .post('/upload')
      .attach('file', Buffer.from('a,b'), {
        filename: 'data.txt',
        contentType: 'text/plain',
      });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toBe(
      'Refused file name: must end in .csv',
    );
    const accepted = await request(app)
      .post('/upload')
      .attach('file', Buffer.from('a,b'), {
        filename: 'data.csv',
        contentType: 'text/plain',
      });
    expect(accepted.status).toBe(201);
  });

  it('refuses a media type that is not accepted', async () => {
    const res = await request(appWith({ ...base, metadata: 'none' }))
      .post('/upload')
      .attach('file', Buffer.from('<html></html>'), {
        filename: 'page.html',
        contentType: 'text/html',
      });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      'Refused media type text/html: accepted are text/plain, application/pdf',
    );
    expect(await leftInTmp()).toEqual([]);
  });

  it('refuses a file that is too large and leaves nothing in the temp folder', async () => {
    const res = await request(appWith({ ...base, metadata: 'none' }))
      .post('/upload')
      .attach('file', Buffer.alloc(256 * 1024, 'x'), {
        filename: 'big.txt',
        contentType: 'text/plain',
      });
    expect(res.status).toBe(400);
    // The copy stops at the limit: the spool's own error may come first,
    // through the stream that feeds it ("Unreadable upload: ...").
    expect(res.body.error.message).toMatch(/larger than the 64-byte limit$/);
    expect(await leftInTmp()).toEqual([]);
  });

  it('accepts a file of exactly maxBytes', async () => {
    const res = await request(appWith({ ...base, metadata: 'none' }))
      .post('/upload')
      .attach('file', Buffer.alloc(64, 'x'), {
        filename: 'edge.txt',
        contentType: 'text/plain',
      });
    expect(res.status).toBe(201);
    expect(res.body.sizeBytes).toBe(64);
    expect(await leftInTmp()).toEqual([]);
  });

  it.each([
    ['none', 'Upload as multipart/form-data with a file field'],
    [
      'required',
      'Upload as multipart/form-data with a file field, and a metadata field',
    ],
  ] as const)(
    'refuses a body that is not multipart (metadata %s)',
    async (metadata, message) => {
      const res = await request(appWith({ ...base, metadata }))
        .post('/upload')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ file: 'hello' }));
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(message);
      expect(await leftInTmp()).toEqual([]);
    },
  );
});
