import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { buildBinder } from './buildBinder';
import {
  binderInput,
  collect,
  ed25519Keys,
  memoryFile,
  readEntries,
  sha256,
} from './binderFixtures';
import { parseSums } from './manifest';
import { BinderManifest } from './types';

const keys = ed25519Keys();

function sampleFiles() {
  return [
    memoryFile('item-1', 'git-history.json', JSON.stringify({ merges: 42 })),
    memoryFile('item-2', 'sbom.spdx.json', 'x'.repeat(70_000), {
      type: 'sbom',
      points: ['CC7.1', 'CC8.1'],
      title: 'Workspace <SBOM> & "licenses"',
    }),
    memoryFile('item-3', 'access review.csv', 'user,group\nana,admins\n', {
      type: 'access-review',
      points: ['CC6.1', 'CC6.2'],
      entityRef: null,
    }),
  ];
}

async function build(files = sampleFiles()) {
  const sink = collect();
  const result = await buildBinder(
    binderInput(keys.privateKey, files),
    sink.stream,
  );
  return { ...result, bytes: sink.bytes() };
}

describe('buildBinder', () => {
  it('gives the same bytes for the same inputs, whatever their order', async () => {
    const first = await build();
    const second = await build(sampleFiles().reverse());
    expect(second.bytes.equals(first.bytes)).toBe(true);
    expect(second.sha256).toBe(first.sha256);
    expect(first.sha256).toBe(sha256(first.bytes));
    expect(first.sizeBytes).toBe(first.bytes.length);
  });

  it('writes a gzip header with no file name, mtime 0 and a fixed OS', async () => {
    const { bytes } = await build();
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0x1f, 0x8b, 8]));
    expect(bytes[3]).toBe(0); // FLG: no FNAME, no FCOMMENT, no FEXTRA, no FHCRC
    expect(bytes.readUInt32LE(4)).toBe(0); // MTIME
    expect(bytes[9]).toBe(3); // OS: Unix
  });

  it('holds exactly the expected entries, sorted, with fixed owners, modes and times', async () => {
    const { bytes } = await build();
    const entries = await readEntries(bytes);
    const names = entries.map(e => e.header.name);
    const evidence = [
      `evidence/${sha256(JSON.stringify({ merges: 42 })).slice(
        0,
        12,
      )}-git-history.json`,
      `evidence/${sha256('x'.repeat(70_000)).slice(0, 12)}-sbom.spdx.json`,
      `evidence/${sha256('user,group\nana,admins\n').slice(
        0,
        12,
      )}-access_review.csv`,
    ].sort();
    expect(names).toEqual([
      'binder/',
      'binder/SHA256SUMS',
      'binder/collection-log.txt',
      'binder/evidence/',
      ...evidence.map(e => `binder/${e}`),
      'binder/index.html',
      'binder/index.md',
      'binder/manifest.json',
      'binder/manifest.json.sig',
      'binder/public-key.pem',
    ]);
    expect([...names].sort()).toEqual(names);
    for (const { header } of entries) {
      expect(header.mtime!.getTime()).toBe(0);
      expect(header.uid).toBe(0);
      expect(header.gid).toBe(0);
      expect(header.uname).toBe('');
      expect(header.gname).toBe('');
      expect(header.mode).toBe(header.type === 'directory' ? 0o755 : 0o644);
    }
  });

  it('writes a manifest of every other file, SHA256SUMS over it, and its signature', async () => {
    const { bytes } = await build();
    const entries = await readEntries(bytes);
    const byName = new Map(
      entries.map(e => [e.header.name.replace(/^binder\//, ''), e.data]),
    );
    const manifestBytes = byName.get('manifest.json')!;
    const manifest: BinderManifest = JSON.parse(manifestBytes.toString());
    const files = [...byName.keys()].filter(
      n =>
        n !== '' &&
        !n.endsWith('/') &&
        !['manifest.json', 'manifest.json.sig', 'SHA256SUMS'].includes(n),
    );
    expect(manifest.files.map(f => f.path)).toEqual(files.sort());
    for (const f of manifest.files) {
      expect(f.sha256).toBe(sha256(byName.get(f.path)!));
      expect(f.size).toBe(byName.get(f.path)!.length);
    }
    const sbom = manifest.files.find(f => f.path.endsWith('sbom.spdx.json'))!;
    expect(sbom.evidence).toEqual({
      id: 'item-2',
      type: 'sbom',
      title: 'Workspace <SBOM> & "licenses"',
      points: ['CC7.1', 'CC8.1'],
      entityRef: 'component:default/api-gateway',
      periodStart: '2026-10-01T00:00:00.000Z',
      periodEnd: '2026-12-31T00:00:00.000Z',
      collectedAt: '2026-11-30T10:00:00.000Z',
      mediaType: 'application/json',
    });
    expect(manifest.points).toHaveLength(33); // none asked for: all of them
    expect(manifest.publicKey).toBe(keys.publicKeyPem);
    expect(byName.get('public-key.pem')!.toString()).toBe(keys.publicKeyPem);

    const sums = parseSums(byName.get('SHA256SUMS')!.toString());
    expect(sums.malformed).toEqual([]);
    expect([...sums.entries.keys()]).toEqual(
      [...files, 'manifest.json'].sort(),
    );
    for (const [path, hash] of sums.entries) {
      expect(hash).toBe(sha256(byName.get(path)!));
    }

    const sig = byName.get('manifest.json.sig')!;
    expect(sig).toHaveLength(64);
    expect(verify(null, manifestBytes, keys.publicKeyPem, sig)).toBe(true);
  });

  it('escapes titles in index.html and index.md and loads nothing from outside', async () => {
    const { bytes } = await build();
    const entries = await readEntries(bytes);
    const html = entries
      .find(e => e.header.name === 'binder/index.html')!
      .data.toString();
    const md = entries
      .find(e => e.header.name === 'binder/index.md')!
      .data.toString();
    expect(html).toContain('Workspace &lt;SBOM&gt; &amp; &quot;licenses&quot;');
    expect(html).not.toContain('<SBOM>');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/<(script|link|img)/);
    // CC8.1 links both of its evidence files with their collection time.
    const cc81 = html.split('\n').find(l => l.startsWith('<tr id="CC8.1"'))!;
    expect(cc81).toContain('fresh');
    expect(cc81.match(/href="evidence\//g)).toHaveLength(2);
    expect(cc81).toContain('collected 2026-11-30T10:00:00.000Z');
    expect(html).toContain('Points: 2 fresh, 1 stale, 29 missing, 1 exception');
    expect(md).toContain('Workspace \\<SBOM\\> &amp; "licenses"');
    expect(md).toMatch(/\| CC6\.1 \| .* \| exception: /);
  });

  it('limits the index to the points asked for', async () => {
    const sink = collect();
    await buildBinder(
      {
        ...binderInput(keys.privateKey, sampleFiles()),
        points: ['CC8.1', 'CC6.1', 'A1.2'],
      },
      sink.stream,
    );
    const entries = await readEntries(sink.bytes());
    const md = entries
      .find(e => e.header.name === 'binder/index.md')!
      .data.toString();
    expect(md.match(/^\| CC\d\.\d /gm)).toEqual(['| CC6.1 ', '| CC8.1 ']);
    expect(md).toContain('## Points not in the coverage report\n\nA1.2');
    expect(md).toContain('Points: 1 fresh, 0 stale, 0 missing, 1 exception');
  });

  it('gives hostile and clashing file names unique, safe paths', async () => {
    const same = 'same content';
    const { bytes } = await build([
      memoryFile('a', '../../etc/passwd', 'p'),
      memoryFile('b', 'evil\0name\n.txt', 'n'),
      memoryFile('c', `${'long'.repeat(60)}.json`, 'l'),
      memoryFile('d', 'report.pdf', same),
      memoryFile('e', 'report.pdf', same),
      memoryFile('f', 'Report.pdf', same),
      memoryFile('g', '', 'empty name'),
    ]);
    const names = (await readEntries(bytes))
      .map(e => e.header.name)
      .filter(
        n => n.startsWith('binder/evidence/') && n !== 'binder/evidence/',
      );
    expect(names).toHaveLength(7);
    expect(new Set(names.map(n => n.toLowerCase())).size).toBe(7);
    for (const name of names) {
      expect(name).toMatch(/^binder\/evidence\/[0-9a-f]{12}-[A-Za-z0-9._-]+$/);
      expect(name.length).toBeLessThanOrEqual(100);
    }
    expect(names).toContainEqual(expect.stringMatching(/-passwd$/));
    expect(names).toContainEqual(expect.stringMatching(/-file$/));
    expect(names).toContainEqual(
      expect.stringMatching(/-d-report\.pdf$|-report\.pdf$/),
    );
  });

  it.each([
    [
      'content',
      { sha256: sha256('something else') },
      /does not match its recorded sha256/,
    ],
    [
      'a shorter size',
      { sizeBytes: 999 },
      /has 12 bytes, not its recorded 999/,
    ],
    [
      'a longer size',
      { sizeBytes: 5 },
      /longer than its recorded size of 5 bytes/,
    ],
  ])(
    'fails naming the file whose streamed bytes differ from its recorded %s',
    async (_what, declared, message) => {
      const bad = memoryFile(
        'bad-item',
        'tampered.json',
        'real content',
        declared,
      );
      const sink = collect();
      let finished = false;
      sink.stream.on('finish', () => {
        finished = true;
      });
      const error = await buildBinder(
        binderInput(keys.privateKey, [...sampleFiles(), bad]),
        sink.stream,
      ).catch(e => e);
      expect(error).toBeInstanceOf(Error);
      expect(error.message).toMatch(message);
      expect(error.message).toContain('tampered.json');
      expect(error.message).toContain('bad-item');
      expect(error.message).toMatch(/evidence\/[0-9a-f]{12}-tampered\.json/);
      expect(finished).toBe(false); // the output is destroyed, never ended
      expect(sink.stream.destroyed).toBe(true);
    },
  );

  it('fails when a file cannot be read, naming nothing it did not see', async () => {
    const broken = memoryFile('gone', 'gone.json', 'abc', {
      async open() {
        return new Readable({
          read() {
            this.destroy(new Error('blob gone'));
          },
        });
      },
    });
    await expect(
      buildBinder(binderInput(keys.privateKey, [broken]), collect().stream),
    ).rejects.toThrow('blob gone');
  });

  it('refuses a signing key that is not Ed25519', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await expect(
      buildBinder(binderInput(privateKey, []), collect().stream),
    ).rejects.toThrow(/Ed25519 private key/);
  });

  it('reports progress per evidence file', async () => {
    const seen: Array<{ files: number; bytes: number }> = [];
    const files = sampleFiles();
    const total = files.reduce((n, f) => n + f.sizeBytes, 0);
    await buildBinder(
      binderInput(keys.privateKey, files),
      collect().stream,
      p => {
        expect(p.totalFiles).toBe(3);
        expect(p.totalBytes).toBe(total);
        seen.push({ files: p.files, bytes: p.bytes });
      },
    );
    expect(seen.map(s => s.files)).toEqual([0, 1, 2, 3]);
    expect(seen[3].bytes).toBe(total);
  });

  it('streams a 64 MiB file produced on the fly', async () => {
    // 64 MiB produced on the fly, hashed beforehand in the same chunks.
    const chunk = Buffer.alloc(1024 * 1024, 7);
    const count = 64;
    const hash = createHash('sha256');
    for (let i = 0; i < count; i++) hash.update(chunk);
    const big = memoryFile('big', 'big.bin', '', {
      sha256: hash.digest('hex'),
      sizeBytes: chunk.length * count,
      async open() {
        let i = 0;
        return new Readable({
          read() {
            this.push(i++ < count ? chunk : null);
          },
        });
      },
    });
    let size = 0;
    const counter = new Writable({
      write(c, _e, cb) {
        size += c.length;
        cb();
      },
    });
    const result = await buildBinder(
      binderInput(keys.privateKey, [big]),
      counter,
    );
    expect(result.sizeBytes).toBe(size);
  });
});
