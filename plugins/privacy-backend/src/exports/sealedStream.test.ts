import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { createKeyring, encryptBundle, serializeBundle } from '../crypto';
import {
  DEFAULT_SEGMENT_BYTES,
  createBundleOpenStream,
  createBundleSealStream,
} from './sealedStream';

const current = { id: 'k2', key: randomBytes(32) };
const retired = { id: 'k1', key: randomBytes(32) };
const keyring = createKeyring([current, retired]);
const SEGMENT = 1024;

/** Pushes `data` through `stream` in chunks of `chunkBytes`; collects the output chunks. */
async function through(
  data: Buffer,
  stream: NodeJS.ReadWriteStream,
  chunkBytes = 700,
): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunkBytes) {
    chunks.push(data.subarray(i, i + chunkBytes));
  }
  // 'data' events, not async iteration: it would hand back several pushed
  // chunks at once, and the chunks are what is looked at.
  const out: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    stream.on('data', chunk => out.push(chunk));
    stream.on('end', resolve);
    stream.on('error', reject);
    Readable.from(chunks).pipe(stream);
  });
  return out;
}

const seal = async (data: Buffer, segmentBytes = SEGMENT) =>
  Buffer.concat(
    await through(data, createBundleSealStream(current, { segmentBytes })),
  );
const open = async (sealed: Buffer, chunkBytes?: number) =>
  Buffer.concat(
    await through(sealed, createBundleOpenStream(keyring), chunkBytes),
  );

/** Where segment `n` (of `size` sealed bytes each) starts in a sealed bundle. */
function segmentStart(sealed: Buffer, n: number, size = SEGMENT + 16) {
  return 8 + sealed.readUInt32BE(4) + n * size;
}

describe('streamed export bundle encryption (DSB2)', () => {
  it.each([0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 5 * SEGMENT, 70_000])(
    'round-trips %p bytes, whatever the chunking',
    async size => {
      const data = randomBytes(size);
      const sealed = await seal(data);
      expect(sealed.subarray(0, 4).toString()).toBe('DSB2');
      // No run of plaintext shows through.
      expect(size < 64 || !sealed.includes(data.subarray(0, 64))).toBe(true);
      expect((await open(sealed)).equals(data)).toBe(true);
      expect((await open(sealed, 1)).equals(data)).toBe(true);
      expect((await open(sealed, sealed.length || 1)).equals(data)).toBe(true);
    },
  );

  it('holds one segment at a time: no output chunk is larger than a segment and its tag', async () => {
    const data = randomBytes(3 * 1024 * 1024);
    const sealedChunks = await through(
      data,
      createBundleSealStream(current),
      256 * 1024,
    );
    expect(
      Math.max(...sealedChunks.slice(1).map(c => c.length)),
    ).toBeLessThanOrEqual(DEFAULT_SEGMENT_BYTES + 16);
    const plainChunks = await through(
      Buffer.concat(sealedChunks),
      createBundleOpenStream(keyring),
      256 * 1024,
    );
    expect(Math.max(...plainChunks.map(c => c.length))).toBeLessThanOrEqual(
      DEFAULT_SEGMENT_BYTES,
    );
    expect(Buffer.concat(plainChunks).equals(data)).toBe(true);
  });

  it('uses a fresh data key and nonce prefix per bundle', async () => {
    const data = Buffer.from('the same export');
    const a = await seal(data);
    const b = await seal(data);
    expect(a.equals(b)).toBe(false);
  });

  it('refuses a flipped byte, and releases nothing of the segment it is in', async () => {
    const data = randomBytes(4 * SEGMENT);
    const sealed = await seal(data);
    const tampered = Buffer.from(sealed);
    tampered[segmentStart(sealed, 2) + 5] ^= 1;

    const released: Buffer[] = [];
    const stream = createBundleOpenStream(keyring);
    stream.on('data', chunk => released.push(chunk));
    await expect(
      new Promise((resolve, reject) => {
        stream.on('end', resolve);
        stream.on('error', reject);
        Readable.from([tampered]).pipe(stream);
      }),
    ).rejects.toThrow(/segment 2 of the export bundle failed authentication/);
    // Segments 0 and 1 were authentic; nothing of segment 2 or later came out.
    expect(Buffer.concat(released).equals(data.subarray(0, 2 * SEGMENT))).toBe(
      true,
    );
  });

  it('refuses a bundle cut at a segment boundary, reordered segments and a changed header', async () => {
    const data = randomBytes(3 * SEGMENT + 10);
    const sealed = await seal(data);
    const cut = sealed.subarray(0, segmentStart(sealed, 2));
    await expect(open(cut)).rejects.toThrow(/failed authentication/);

    const s0 = segmentStart(sealed, 0);
    const s1 = segmentStart(sealed, 1);
    const s2 = segmentStart(sealed, 2);
    const swapped = Buffer.concat([
      sealed.subarray(0, s0),
      sealed.subarray(s1, s2),
      sealed.subarray(s0, s1),
      sealed.subarray(s2),
    ]);
    await expect(open(swapped)).rejects.toThrow(/failed authentication/);

    // Another bundle's segments under this header: another data key.
    const other = await seal(data);
    const spliced = Buffer.concat([
      sealed.subarray(0, s0),
      other.subarray(segmentStart(other, 0)),
    ]);
    await expect(open(spliced)).rejects.toThrow(/failed authentication/);

    const header = JSON.parse(sealed.subarray(8, s0).toString());
    const noise = Buffer.from(
      JSON.stringify({ ...header, keyId: 'k1' }),
      'utf8',
    );
    const length = Buffer.alloc(4);
    length.writeUInt32BE(noise.length);
    await expect(
      open(
        Buffer.concat([
          Buffer.from('DSB2'),
          length,
          noise,
          sealed.subarray(s0),
        ]),
      ),
    ).rejects.toThrow(/cannot unwrap the data key/);

    await expect(open(Buffer.from('not a bundle at all'))).rejects.toThrow(
      /bad magic bytes/,
    );
    await expect(open(sealed.subarray(0, 6))).rejects.toThrow(/no header/);
  });

  it('still opens a bundle written whole in the earlier format (DSB1)', async () => {
    const data = Buffer.from('{"orders":[]}');
    const legacy = serializeBundle(encryptBundle(data, retired));
    expect((await open(legacy, 3)).equals(data)).toBe(true);
  });
});
