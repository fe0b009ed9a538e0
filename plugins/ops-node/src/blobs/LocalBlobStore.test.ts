import {
  mkdtemp,
  readFile,
  readdir,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
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

  it('records retention beside the blobs, where no key reaches', async () => {
    const store = new LocalBlobStore(directory);
    const retainUntil = new Date(Date.now() + 3600_000);
    await store.put('evidence/a.json', Buffer.from('{}'), { retainUntil });

    const record = join(directory, '~retention/evidence/a.json~');
    expect(JSON.parse(await readFile(record, 'utf8'))).toEqual({
      retainUntil: retainUntil.toISOString(),
    });
    expect((await stat(record)).mode & 0o777).toBe(0o600);
    // `~` is no key character: the records cannot be written or removed as blobs.
    await expect(
      store.delete('~retention/evidence/a.json~'),
    ).rejects.toMatchObject({ name: 'InputError' });
    expect(await readdir(join(directory, '~retention/evidence'))).toEqual([
      'a.json~',
    ]);
  });

  it('fails closed when a retention record is unreadable', async () => {
    const store = new LocalBlobStore(directory);
    await store.put('evidence/b.json', Buffer.from('{}'), {
      retainUntil: new Date(Date.now() + 3600_000),
    });
    await writeFile(join(directory, '~retention/evidence/b.json~'), 'garbage');

    await expect(store.delete('evidence/b.json')).rejects.toThrow(
      'The retention record of blob "evidence/b.json" is unreadable',
    );
    expect((await store.getBuffer('evidence/b.json')).toString()).toBe('{}');
  });

  it('drops the record of a run-out retention when the key is written anew', async () => {
    let now = new Date();
    const store = new LocalBlobStore(directory, { now: () => now });
    await store.put('evidence/c.json', Buffer.from('old'), {
      retainUntil: new Date(now.getTime() + 1000),
    });
    now = new Date(now.getTime() + 2000);
    await store.put('evidence/c.json', Buffer.from('new'));

    expect(await store.head('evidence/c.json')).toEqual({ sizeBytes: 3 });
    expect(await readdir(join(directory, '~retention/evidence'))).toEqual([]);
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
