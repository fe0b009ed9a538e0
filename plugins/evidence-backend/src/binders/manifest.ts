/**
 * manifest.json and SHA256SUMS: how they are written (byte for byte the same
 * for the same content) and read back.
 */
import { createHash } from 'node:crypto';
import {
  BinderManifest,
  MANIFEST_FORMAT,
  ManifestFile,
  UNLISTED_PATHS,
} from './types';
import { compare } from './names';

export const sha256Hex = (data: Buffer | string) =>
  createHash('sha256').update(data).digest('hex');

/** manifest.json bytes: fixed key order, files sorted by path, 2-space indent, final newline. */
export function serializeManifest(manifest: BinderManifest): Buffer {
  const files = [...manifest.files]
    .sort((a, b) => compare(a.path, b.path))
    .map(f => ({
      path: f.path,
      sha256: f.sha256,
      size: f.size,
      ...(f.evidence
        ? {
            evidence: {
              id: f.evidence.id,
              type: f.evidence.type,
              title: f.evidence.title,
              points: f.evidence.points,
              entityRef: f.evidence.entityRef,
              periodStart: f.evidence.periodStart,
              periodEnd: f.evidence.periodEnd,
              collectedAt: f.evidence.collectedAt,
              mediaType: f.evidence.mediaType,
            },
          }
        : {}),
    }));
  const ordered = {
    format: manifest.format,
    periodStart: manifest.periodStart,
    periodEnd: manifest.periodEnd,
    points: manifest.points,
    generatedAt: manifest.generatedAt,
    publicKey: manifest.publicKey,
    files,
  };
  return Buffer.from(`${JSON.stringify(ordered, null, 2)}\n`, 'utf8');
}

/** Reads manifest.json; throws with a reason when it is not one. */
export function parseManifest(bytes: Buffer): BinderManifest {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new Error(`manifest.json is not JSON: ${(e as Error).message}`);
  }
  const m = value as Partial<BinderManifest>;
  if (!m || typeof m !== 'object' || m.format !== MANIFEST_FORMAT) {
    throw new Error(`manifest.json is not a ${MANIFEST_FORMAT} manifest`);
  }
  if (typeof m.publicKey !== 'string' || !Array.isArray(m.files)) {
    throw new Error('manifest.json lacks publicKey or files');
  }
  for (const f of m.files as unknown[]) {
    const file = f as Partial<ManifestFile>;
    if (
      !file ||
      typeof file.path !== 'string' ||
      typeof file.sha256 !== 'string' ||
      !/^[0-9a-f]{64}$/.test(file.sha256) ||
      typeof file.size !== 'number'
    ) {
      throw new Error(
        `manifest.json has a malformed file entry: ${JSON.stringify(f)}`,
      );
    }
    if (UNLISTED_PATHS.includes(file.path)) {
      throw new Error(`manifest.json lists ${file.path}, which it cannot`);
    }
  }
  return m as BinderManifest;
}

/**
 * SHA256SUMS in the format `sha256sum -c` reads: `<hex>␠␠<path>` per line,
 * sorted by path. Paths are relative to `binder/` and made of safe
 * characters (no backslash or newline, so no escaping is needed).
 */
export function serializeSums(
  entries: Array<{ path: string; sha256: string }>,
): Buffer {
  const lines = [...entries]
    .sort((a, b) => compare(a.path, b.path))
    .map(e => {
      if (/[\\\n\r]/.test(e.path)) {
        throw new Error(
          `unsafe path for SHA256SUMS: ${JSON.stringify(e.path)}`,
        );
      }
      return `${e.sha256}  ${e.path}\n`;
    });
  return Buffer.from(lines.join(''), 'utf8');
}

/** Reads SHA256SUMS (text or binary mode lines); malformed lines are returned apart. */
export function parseSums(text: string): {
  entries: Map<string, string>;
  malformed: string[];
} {
  const entries = new Map<string, string>();
  const malformed: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const match = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line);
    if (!match) malformed.push(line);
    else entries.set(match[2], match[1].toLowerCase());
  }
  return { entries, malformed };
}
