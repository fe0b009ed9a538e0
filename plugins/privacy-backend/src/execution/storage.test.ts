import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalBlobStore } from './storage';

describe('LocalBlobStore', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'privacy-blobs-'));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('puts, gets and deletes a blob under nested directories', async () => {
    const store = new LocalBlobStore(join(directory, 'store'));
    const data = Buffer.from('encrypted bytes');
    const stored = await store.put('exports/EU/req-1.zip.enc', data);

    expect(stored).toEqual({
      location: expect.stringMatching(
        /^file:\/\/.*\/exports\/EU\/req-1\.zip\.enc$/,
      ),
      sizeBytes: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
    });
    const path = fileURLToPath(stored.location);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    // No temp file is left behind.
    expect(await readdir(join(directory, 'store/exports/EU'))).toEqual([
      'req-1.zip.enc',
    ]);
    expect((await store.get('exports/EU/req-1.zip.enc')).equals(data)).toBe(
      true,
    );

    await store.put('exports/EU/req-1.zip.enc', Buffer.from('v2'));
    expect((await store.get('exports/EU/req-1.zip.enc')).toString()).toBe('v2');

    await store.delete('exports/EU/req-1.zip.enc');
    await expect(store.get('exports/EU/req-1.zip.enc')).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    await expect(store.delete('exports/EU/req-1.zip.enc')).resolves.toBe(
      undefined,
    );
  });

  it.each([
    '../outside',
    'exports/../../outside',
    '..',
    '/etc/passwd',
    'exports\\..\\x',
    '',
    'a//b',
    'exports/',
  ])('refuses the key %p', async key => {
    const store = new LocalBlobStore(directory);
    await expect(store.put(key, Buffer.from('x'))).rejects.toMatchObject({
      name: 'InputError',
    });
    await expect(store.get(key)).rejects.toMatchObject({ name: 'InputError' });
    await expect(store.delete(key)).rejects.toMatchObject({
      name: 'InputError',
    });
    expect(await readdir(directory)).toEqual([]);
  });
});
