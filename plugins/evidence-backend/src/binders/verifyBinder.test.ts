import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { buildBinder } from './buildBinder';
import { verifyBinder } from './verifyBinder';
import {
  binderInput,
  collect,
  ed25519Keys,
  flipByte,
  memoryFile,
  rewriteArchive,
  sha256,
} from './binderFixtures';
import { formatVerification } from './formatVerification';

const keys = ed25519Keys();
const EVIDENCE = `evidence/${sha256('{"merges":42}').slice(0, 12)}-git.json`;

let binder: Buffer;

beforeAll(async () => {
  const sink = collect();
  await buildBinder(
    binderInput(keys.privateKey, [
      memoryFile('i1', 'git.json', '{"merges":42}'),
      memoryFile('i2', 'sbom.json', 'y'.repeat(50_000), { type: 'sbom' }),
    ]),
    sink.stream,
  );
  binder = sink.bytes();
});

/** Feeds the bytes in small chunks, as a download would arrive. */
const stream = (bytes: Buffer) => {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 4096) {
    chunks.push(bytes.subarray(i, i + 4096));
  }
  return Readable.from(chunks);
};

describe('verifyBinder', () => {
  it('verifies a binder it built', async () => {
    const result = await verifyBinder(stream(binder));
    expect(result).toEqual({
      ok: true,
      signatureValid: true,
      fileCount: 9,
      mismatched: [],
      missing: [],
      extra: [],
      errors: [],
    });
    expect(formatVerification(result).pop()).toBe('OK');
  });

  it('names an evidence file with one byte flipped', async () => {
    const tampered = await rewriteArchive(binder, (name, data) =>
      name === `binder/${EVIDENCE}` ? flipByte(data) : data,
    );
    const result = await verifyBinder(stream(tampered));
    expect(result.ok).toBe(false);
    expect(result.signatureValid).toBe(true);
    expect(result.mismatched).toEqual([EVIDENCE]);
    expect(result.missing).toEqual([]);
    expect(result.extra).toEqual([]);
    expect(formatVerification(result)).toEqual(
      expect.arrayContaining([`MISMATCHED ${EVIDENCE}`, 'FAILED']),
    );
  });

  it('names missing and extra files', async () => {
    const changed = await rewriteArchive(
      binder,
      (name, data) => (name === `binder/${EVIDENCE}` ? null : data),
      [
        { name: 'binder/evidence/smuggled.txt', data: Buffer.from('hi') },
        { name: 'binder/../../etc/cron.d/x', data: Buffer.from('boom') },
      ],
    );
    const result = await verifyBinder(stream(changed));
    expect(result.ok).toBe(false);
    expect(result.missing).toEqual([EVIDENCE]);
    expect(result.extra).toEqual([
      'binder/../../etc/cron.d/x',
      'evidence/smuggled.txt',
    ]);
    expect(result.mismatched).toEqual([]);
    expect(result.signatureValid).toBe(true);
  });

  it('fails the signature of a changed manifest and names what it then misdescribes', async () => {
    // One hex digit of a hash inside the manifest: signature and sums both break.
    const forged = await rewriteArchive(binder, (name, data) => {
      if (name !== 'binder/manifest.json') return data;
      const text = data.toString();
      const at = text.indexOf(sha256('{"merges":42}'));
      return Buffer.from(
        text.slice(0, at) + (text[at] === '0' ? '1' : '0') + text.slice(at + 1),
      );
    });
    const result = await verifyBinder(stream(forged));
    expect(result.ok).toBe(false);
    expect(result.signatureValid).toBe(false);
    expect(result.mismatched).toEqual(
      expect.arrayContaining([EVIDENCE, 'SHA256SUMS', 'manifest.json.sig']),
    );
  });

  it('reports signatureValid false for another pinned key, true for the right one', async () => {
    const other = ed25519Keys();
    const wrong = await verifyBinder(stream(binder), {
      publicKeyPem: other.publicKeyPem,
    });
    expect(wrong.signatureValid).toBe(false);
    expect(wrong.ok).toBe(false);
    expect(wrong.errors.join('\n')).toMatch(/pinned public key/);
    const right = await verifyBinder(stream(binder), {
      publicKeyPem: keys.publicKeyPem,
    });
    expect(right.ok).toBe(true);
  });

  it('catches a binder re-signed with another key when the key is pinned', async () => {
    // An attacker swaps the evidence, rewrites manifest, sums and key, and re-signs.
    const attacker = ed25519Keys();
    const sink = collect();
    await buildBinder(
      binderInput(attacker.privateKey, [
        memoryFile('i1', 'git.json', '{"merges":43}'),
      ]),
      sink.stream,
    );
    const alone = await verifyBinder(stream(sink.bytes()));
    expect(alone.ok).toBe(true); // self-consistent: only pinning tells
    const pinned = await verifyBinder(stream(sink.bytes()), {
      publicKeyPem: keys.publicKeyPem,
    });
    expect(pinned.signatureValid).toBe(false);
  });

  it('names SHA256SUMS when it disagrees with the manifest', async () => {
    const changed = await rewriteArchive(binder, (name, data) =>
      name === 'binder/SHA256SUMS'
        ? Buffer.from(
            data
              .toString()
              .split('\n')
              .filter(l => !l.endsWith('  index.md'))
              .join('\n'),
          )
        : data,
    );
    const result = await verifyBinder(stream(changed));
    expect(result.mismatched).toEqual(['SHA256SUMS']);
    expect(result.errors).toEqual([
      'SHA256SUMS disagrees with manifest.json: index.md not listed',
    ]);
    expect(result.signatureValid).toBe(true);
  });

  it('reports a missing manifest and signature', async () => {
    const changed = await rewriteArchive(binder, (name, data) =>
      name.startsWith('binder/manifest.json') ? null : data,
    );
    const result = await verifyBinder(stream(changed));
    expect(result.ok).toBe(false);
    expect(result.signatureValid).toBe(false);
    expect(result.missing).toEqual(['manifest.json', 'manifest.json.sig']);
  });

  it.each([
    ['garbage', Buffer.from('this is not a tar.gz at all')],
    ['a gzip of garbage', gzipSync(Buffer.from('not a tar'.repeat(100)))],
    ['a truncated binder', () => binder.subarray(0, binder.length / 2)],
  ])('reports %s as unreadable', async (_what, bytes) => {
    const data = typeof bytes === 'function' ? bytes() : bytes;
    const result = await verifyBinder(stream(data));
    expect(result.ok).toBe(false);
    expect(result.signatureValid).toBe(false);
    expect(result.errors.length).toBeGreaterThan(0);
    expect(result.errors.join('\n')).toMatch(
      /unreadable archive|no manifest\.json/,
    );
  });
});
