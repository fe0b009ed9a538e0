/**
 * Verifies a binder (.tar.gz) read as a stream: every file against
 * manifest.json, the manifest's Ed25519 signature, and SHA256SUMS against the
 * manifest. Files are hashed as they stream by; only the small control files
 * (manifest, signature, sums, public key) are kept in memory, and those with
 * a cap.
 */
import { createHash, createPublicKey, KeyObject, verify } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar-stream';
import type { BinderVerification } from '@internal/plugin-evidence-common';
import { parseManifest, parseSums, sha256Hex } from './manifest';
import { compare } from './names';
import { BINDER_PATHS, BINDER_ROOT, BinderManifest } from './types';

/** Control files bigger than this are not read into memory. */
const CONTROL_FILE_CAP = 256 * 1024 * 1024;
const KEPT = new Set<string>([
  BINDER_PATHS.manifest,
  BINDER_PATHS.signature,
  BINDER_PATHS.sums,
  BINDER_PATHS.publicKey,
]);

export interface VerifyBinderOptions {
  /**
   * The public key (PEM) the auditor trusts, e.g. the one the portal
   * publishes. Without it the key inside the binder is used.
   */
  publicKeyPem?: string;
}

interface SeenFile {
  sha256: string;
  size: number;
}

/** Reads the archive: path (relative to `binder/`) → hash and size, plus the control files. */
async function readArchive(
  input: Readable,
  seen: Map<string, SeenFile>,
  kept: Map<string, Buffer>,
  problems: { extra: Set<string>; errors: string[] },
): Promise<void> {
  const extract = tar.extract();
  const consume = (async () => {
    for await (const entry of extract) {
      const { name, type } = entry.header;
      const path = name.startsWith(`${BINDER_ROOT}/`)
        ? name.slice(BINDER_ROOT.length + 1)
        : null;
      const isDir = type === 'directory';
      const unsafe =
        path === null ||
        path.split('/').some(part => part === '..') ||
        name.includes('\0');
      if (isDir && !unsafe) {
        entry.resume();
        continue;
      }
      if (unsafe || (type !== 'file' && type !== 'contiguous-file')) {
        problems.extra.add(name);
        problems.errors.push(
          `${name}: ${
            unsafe ? 'outside binder/' : `a ${type} entry, not a file`
          }`,
        );
        entry.resume();
        continue;
      }
      const hash = createHash('sha256');
      const keep = KEPT.has(path!) ? ([] as Buffer[]) : null;
      let size = 0;
      for await (const data of entry) {
        const chunk = data as Buffer;
        size += chunk.length;
        hash.update(chunk);
        if (keep && size <= CONTROL_FILE_CAP) keep.push(chunk);
      }
      if (seen.has(path!)) {
        problems.errors.push(`${path}: appears more than once in the archive`);
        problems.extra.add(path!);
        continue;
      }
      seen.set(path!, { sha256: hash.digest('hex'), size });
      if (keep) {
        if (size > CONTROL_FILE_CAP) {
          problems.errors.push(
            `${path}: larger than ${CONTROL_FILE_CAP} bytes`,
          );
        } else {
          kept.set(path!, Buffer.concat(keep));
        }
      }
    }
  })();
  await Promise.all([
    pipeline(
      input,
      createGunzip(),
      extract as unknown as NodeJS.WritableStream,
    ),
    consume,
  ]);
}

function publicKeyFrom(pem: string, what: string, errors: string[]) {
  try {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'ed25519') {
      errors.push(`${what} is not an Ed25519 key`);
      return null;
    }
    return key;
  } catch (e) {
    errors.push(
      `${what} is not a readable public key: ${(e as Error).message}`,
    );
    return null;
  }
}

const sameKey = (a: KeyObject, b: KeyObject) =>
  a
    .export({ type: 'spki', format: 'der' })
    .equals(b.export({ type: 'spki', format: 'der' }));

/** Verifies a binder; never throws for a bad archive, it reports it. */
export async function verifyBinder(
  input: Readable,
  options: VerifyBinderOptions = {},
): Promise<BinderVerification> {
  const seen = new Map<string, SeenFile>();
  const kept = new Map<string, Buffer>();
  const extra = new Set<string>();
  const mismatched = new Set<string>();
  const missing = new Set<string>();
  const errors: string[] = [];
  let signatureValid = false;

  const result = (): BinderVerification => {
    const sorted = (s: Set<string>) => [...s].sort(compare);
    const v = {
      signatureValid,
      fileCount: seen.size,
      mismatched: sorted(mismatched),
      missing: sorted(missing),
      extra: sorted(extra),
      errors,
    };
    return {
      ok:
        signatureValid &&
        v.mismatched.length === 0 &&
        v.missing.length === 0 &&
        v.extra.length === 0 &&
        errors.length === 0,
      ...v,
    };
  };

  try {
    await readArchive(input, seen, kept, { extra, errors });
  } catch (e) {
    errors.push(`unreadable archive: ${(e as Error).message}`);
    return result();
  }

  // The manifest, the list everything else is checked against.
  const manifestBytes = kept.get(BINDER_PATHS.manifest);
  let manifest: BinderManifest | null = null;
  if (!manifestBytes) {
    if (!seen.has(BINDER_PATHS.manifest)) missing.add(BINDER_PATHS.manifest);
    errors.push('no manifest.json: nothing to check the files against');
  } else {
    try {
      manifest = parseManifest(manifestBytes);
    } catch (e) {
      errors.push((e as Error).message);
    }
  }

  // The signature, with the pinned key when one is given.
  const signature = kept.get(BINDER_PATHS.signature);
  if (!seen.has(BINDER_PATHS.signature)) missing.add(BINDER_PATHS.signature);
  if (manifestBytes && signature) {
    const included = manifest
      ? publicKeyFrom(manifest.publicKey, 'the manifest public key', errors)
      : null;
    let key = included;
    if (options.publicKeyPem !== undefined) {
      key = publicKeyFrom(
        options.publicKeyPem,
        'the pinned public key',
        errors,
      );
      if (key && included && !sameKey(key, included)) {
        errors.push(
          'the binder was signed for another key than the pinned public key',
        );
        key = null;
      }
    }
    if (key) {
      try {
        signatureValid = verify(null, manifestBytes, key, signature);
      } catch (e) {
        errors.push(`signature unreadable: ${(e as Error).message}`);
      }
      if (!signatureValid) {
        mismatched.add(BINDER_PATHS.signature);
        errors.push('manifest.json.sig does not verify manifest.json');
      }
    }
  }

  if (manifest) {
    // Every listed file against what the archive holds.
    const listed = new Set<string>();
    for (const file of manifest.files) {
      listed.add(file.path);
      const got = seen.get(file.path);
      if (!got) missing.add(file.path);
      else if (got.sha256 !== file.sha256 || got.size !== file.size) {
        mismatched.add(file.path);
      }
    }
    for (const path of seen.keys()) {
      if (!listed.has(path) && !KEPT.has(path)) extra.add(path);
    }
    // The included key file is the manifest's key.
    const keyFile = kept.get(BINDER_PATHS.publicKey);
    if (keyFile && keyFile.toString('utf8') !== manifest.publicKey) {
      mismatched.add(BINDER_PATHS.publicKey);
      errors.push('public-key.pem is not the key the manifest names');
    }
    checkSums(manifest, manifestBytes!, kept, seen, {
      mismatched,
      missing,
      errors,
    });
  }
  return result();
}

/** SHA256SUMS must list exactly the manifest's files plus manifest.json, with the same hashes. */
function checkSums(
  manifest: BinderManifest,
  manifestBytes: Buffer,
  kept: Map<string, Buffer>,
  seen: Map<string, SeenFile>,
  out: { mismatched: Set<string>; missing: Set<string>; errors: string[] },
) {
  const sums = kept.get(BINDER_PATHS.sums);
  if (!sums) {
    if (!seen.has(BINDER_PATHS.sums)) out.missing.add(BINDER_PATHS.sums);
    return;
  }
  const { entries, malformed } = parseSums(sums.toString('utf8'));
  const expected = new Map(manifest.files.map(f => [f.path, f.sha256]));
  expected.set(BINDER_PATHS.manifest, sha256Hex(manifestBytes));
  const problems: string[] = malformed.map(
    line => `malformed line ${JSON.stringify(line.slice(0, 120))}`,
  );
  for (const [path, sha] of expected) {
    const listed = entries.get(path);
    if (listed === undefined) problems.push(`${path} not listed`);
    else if (listed !== sha) problems.push(`${path} listed with another hash`);
  }
  for (const path of entries.keys()) {
    if (!expected.has(path))
      problems.push(`${path} listed but not in manifest.json`);
  }
  if (problems.length) {
    out.mismatched.add(BINDER_PATHS.sums);
    out.errors.push(
      ...problems.map(p => `SHA256SUMS disagrees with manifest.json: ${p}`),
    );
  }
}
