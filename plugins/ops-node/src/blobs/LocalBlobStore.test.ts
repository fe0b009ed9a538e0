import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { LocalBlobStore } from './LocalBlobStore';

// What only the local store does; BlobStore.test.ts checks the contract.

describe('LocalBlobStore on disk', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'ops-blobs-local-'));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('writes files readable by the owner only, with no temp file left', async () => {
    const store = new LocalBlobStore(join(directory, 'store'));
    const stored = await store.put(
      'exports/EU/req-1.zip.enc',
      Readable.from([Buffer.from('encrypted bytes')]),
    );

    const path = fileURLToPath(stored.location);
    expect(path).toBe(join(directory, 'store/exports/EU/req-1.zip.enc'));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(directory, 'store/exports'))).mode & 0o777).toBe(
      0o700,
    );
    expect(await readdir(join(directory, 'store/exports/EU'))).toEqual([
      'req-1.zip.enc',
    ]);
  });

  it('creates a folder again when it was removed after its first use', async () => {
    const store = new LocalBlobStore(directory);
    await store.put('exports/a.bin', Buffer.from('a'));
    await rm(join(directory, 'exports'), { recursive: true });

    await store.put('exports/b.bin', Readable.from(['b']));
    expect((await store.getBuffer('exports/b.bin')).toString()).toBe('b');
  });

  it('creates the folder of a new hash prefix again when it was removed', async () => {
    const store = new LocalBlobStore(directory);
    await store.putContentAddressed(Buffer.from('one'));
    await rm(join(directory, 'sha256'), { recursive: true });

    const stored = await store.putContentAddressed(Buffer.from('two'));
    expect((await store.getBuffer(stored.key)).toString()).toBe('two');
  });

  it('closes the file when a read stream is dropped', async () => {
    const store = new LocalBlobStore(directory);
    await store.put('a.bin', Buffer.alloc(1024 * 1024));
    const stream = await store.get('a.bin');
    stream.destroy();
    await new Promise(resolve => stream.once('close', resolve));
    expect(stream.destroyed).toBe(true);
  });
});
