/*
 * multipart/form-data bodies written byte by byte, so a fault test can send
 * what no well-behaved client library would: a file name with a NUL or with
 * folders left in, two files, a part under the wrong name, a body cut short.
 */

/** One part of a multipart body. */
export interface FormPart {
  /** The form field's name. */
  name: string;
  /** Sent as `filename="..."` exactly as given (no escaping, no trimming). */
  filename?: string;
  /** Sent as RFC 5987 `filename*=UTF-8''...`, percent-encoded. */
  filenameStar?: string;
  contentType?: string;
  data: string | Buffer;
}

export interface MultipartBody {
  body: Buffer;
  contentType: string;
}

/** Writes `parts` as a multipart/form-data body; `cut` leaves the end off. */
export function multipartBody(
  parts: FormPart[],
  options: { boundary?: string; cut?: boolean; omitBoundary?: boolean } = {},
): MultipartBody {
  const boundary = options.boundary ?? 'evidence-fault-boundary-7d1f0c';
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let disposition = `form-data; name="${part.name}"`;
    if (part.filename !== undefined) {
      disposition += `; filename="${part.filename}"`;
    }
    if (part.filenameStar !== undefined) {
      disposition += `; filename*=UTF-8''${encodeURIComponent(
        part.filenameStar,
      )}`;
    }
    const headers = [`Content-Disposition: ${disposition}`];
    if (part.contentType !== undefined) {
      headers.push(`Content-Type: ${part.contentType}`);
    }
    chunks.push(
      Buffer.from(`--${boundary}\r\n${headers.join('\r\n')}\r\n\r\n`, 'latin1'),
      Buffer.isBuffer(part.data) ? part.data : Buffer.from(part.data, 'utf8'),
      Buffer.from('\r\n'),
    );
  }
  if (!options.cut) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  let body = Buffer.concat(chunks);
  if (options.cut) body = body.subarray(0, Math.max(1, body.length - 7));
  return {
    body,
    contentType: options.omitBoundary
      ? 'multipart/form-data'
      : `multipart/form-data; boundary=${boundary}`,
  };
}
