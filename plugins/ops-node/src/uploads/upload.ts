import { InputError } from '@backstage/errors';
import busboy from 'busboy';
import type { Request } from 'express';
import { PassThrough, Readable } from 'node:stream';
import { z, type ZodType } from 'zod';
import { spool, SpooledFile, TooLargeError } from './spool';

/**
 * A plain file name: 1 to 200 characters, no folders (`/` or `\`), not `.` or
 * `..`, no NUL or other control characters. The default file-name rule of
 * {@link readUpload}.
 */
export const plainFileNameSchema = z
  .string()
  .min(1)
  .max(200)
  .refine(
    name =>
      !/[/\\]/.test(name) &&
      name !== '.' &&
      name !== '..' &&
      ![...name].some(c => c.charCodeAt(0) < 0x20 || c === '\x7f'),
    'must be a plain file name (no folders, no control characters)',
  );

/** What {@link readUpload} accepts. */
export interface ReadUploadOptions {
  /** The largest file, in bytes; the copy stops as soon as it passes. */
  maxBytes: number;
  /** The accepted media types, lower case (`application/pdf`). */
  mediaTypes: string[];
  /**
   * `required`: the upload must carry a `metadata` field holding JSON.
   * `none`: a `metadata` field is refused as unexpected.
   */
  metadata: 'required' | 'none';
  /** The rule for the file's name; {@link plainFileNameSchema} by default. */
  fileName?: ZodType<string>;
}

/**
 * A multipart upload read off a request: its one file, spooled, and its
 * parsed `metadata` field (`undefined` when read with `metadata: 'none'`).
 * The caller removes the file (`file.remove()`) when done with it.
 */
export interface Upload {
  metadata: unknown;
  fileName: string;
  mediaType: string;
  file: SpooledFile;
}

/**
 * Reads `multipart/form-data` with one `file` and, with `metadata:
 * 'required'`, a `metadata` JSON field. Refuses, with a 400 that says why and
 * before anything is stored: another content type, a missing part, a
 * `metadata` field that is not wanted, two files, a file name the
 * `fileName` rule refuses (by default folders, NUL, control characters, over
 * 200 characters), a media type not in `mediaTypes`, or a file over
 * `maxBytes` (the copy stops as soon as it passes). Nothing is left in the
 * temporary folder when it refuses.
 */
export async function readUpload(
  req: Request,
  options: ReadUploadOptions,
): Promise<Upload> {
  const wantsMetadata = options.metadata === 'required';
  const fileNameRule = options.fileName ?? plainFileNameSchema;
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('multipart/form-data')) {
    throw new InputError(
      `Upload as multipart/form-data with a file field${
        wantsMetadata ? ', and a metadata field' : ''
      }`,
    );
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      // Keep the name as sent, so a name with folders is refused, not trimmed.
      preservePath: true,
      limits: { files: 1, fields: 5, fieldSize: 64 * 1024, parts: 6 },
    });
  } catch (error) {
    throw new InputError(`Unreadable upload: ${(error as Error).message}`);
  }
  let metadataText: string | undefined;
  let filePromise: Promise<Upload['file']> | undefined;
  let fileName = '';
  let mediaType = '';
  let refused: Error | undefined;
  const refuse = (error: Error) => {
    refused ??= error;
  };
  await new Promise<void>((resolve, reject) => {
    parser.on('field', (name, value, info) => {
      if (name === 'metadata' && !wantsMetadata) {
        refuse(
          new InputError(
            'Unexpected metadata field: upload as multipart/form-data with a file field only',
          ),
        );
      } else if (info.valueTruncated)
        refuse(new InputError(`The ${name} field is too long`));
      else if (name === 'metadata') metadataText = value;
    });
    parser.on('file', (name, stream: Readable, info) => {
      // A client that drops mid-upload makes busboy fail the stream: refused,
      // never an unhandled error.
      stream.on('error', error =>
        refuse(new InputError(`Unreadable upload: ${error.message}`)),
      );
      if (name !== 'file' || filePromise) {
        stream.resume();
        refuse(
          new InputError('Send exactly one file, in the field named file'),
        );
        return;
      }
      fileName = info.filename ?? '';
      mediaType = (info.mimeType ?? '').toLowerCase();
      const nameCheck = fileNameRule.safeParse(fileName);
      if (!nameCheck.success) {
        stream.resume();
        refuse(
          new InputError(
            `Refused file name: ${
              nameCheck.error.issues[0]?.message ?? 'invalid'
            }`,
          ),
        );
        return;
      }
      if (!options.mediaTypes.includes(mediaType)) {
        stream.resume();
        refuse(
          new InputError(
            `Refused media type ${
              mediaType || '(none)'
            }: accepted are ${options.mediaTypes.join(', ')}`,
          ),
        );
        return;
      }
      const through = new PassThrough();
      // So the spool fails, and removes its temporary folder, too; the
      // spool may not be listening yet (it makes its folder first).
      through.on('error', error =>
        refuse(new InputError(`Unreadable upload: ${error.message}`)),
      );
      stream.on('error', error => through.destroy(error));
      stream.pipe(through);
      filePromise = spool(through, { maxBytes: options.maxBytes });
      filePromise.catch(error => {
        stream.resume();
        refuse(
          error instanceof TooLargeError
            ? new InputError(`The file is ${error.message}`)
            : error,
        );
      });
    });
    parser.on('filesLimit', () =>
      refuse(new InputError('Send exactly one file')),
    );
    parser.on('partsLimit', () =>
      refuse(new InputError('Too many parts in the upload')),
    );
    parser.on('error', (error: Error) =>
      reject(new InputError(`Unreadable upload: ${error.message}`)),
    );
    parser.on('close', () => resolve());
    req.pipe(parser);
  });
  const file = await filePromise?.catch(() => undefined);
  if (refused || !file) {
    await file?.remove();
    throw (
      refused ?? new InputError('The upload has no file (a field named file)')
    );
  }
  if (!wantsMetadata) {
    return { metadata: undefined, fileName, mediaType, file };
  }
  if (metadataText === undefined) {
    await file.remove();
    throw new InputError('The upload has no metadata field');
  }
  try {
    return { metadata: JSON.parse(metadataText), fileName, mediaType, file };
  } catch {
    await file.remove();
    throw new InputError('The metadata field is not JSON');
  }
}
