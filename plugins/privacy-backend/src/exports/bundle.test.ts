import { strFromU8, unzipSync, zipSync } from 'fflate';
import { createHash } from 'node:crypto';
import {
  type ExportFile,
  buildExportArchive,
  fileNameFor,
  readExportArchive,
  streamExportArchive,
} from './bundle';

const meta = {
  requestId: 'req-1',
  subjectId: 'customer-42',
  region: 'EU' as const,
  createdAt: '2025-03-01T10:00:00.000Z',
};

const files: ExportFile[] = [
  {
    source: 'resource:default/checkout-db',
    records: {
      orders: [
        { id: 1, email: 'a@example.com', total: 10n },
        { id: 2, email: 'a@example.com', avatar: Buffer.from('png') },
      ],
      addresses: [{ id: 7, city: 'Lyon' }],
    },
  },
  {
    source: 'resource:default/crm',
    records: { contacts: [{ id: 'c1' }] },
  },
];

describe('export archive', () => {
  it('derives safe file names from entity refs', () => {
    expect(fileNameFor('resource:default/checkout-db')).toBe(
      'resource-default-checkout-db.json',
    );
    expect(fileNameFor('Resource:Team-A/../../etc/passwd')).toBe(
      'resource-team-a-.-.-etc-passwd.json',
    );
    expect(fileNameFor('///')).toBe('source.json');
  });

  it('lists every file with its SHA-256 and size, and verifies on read', () => {
    const { zip, manifest } = buildExportArchive(files, meta);
    expect(manifest).toMatchObject({ version: 1, ...meta });
    expect(manifest.files.map(f => [f.name, f.recordCount])).toEqual([
      ['resource-default-checkout-db.json', 3],
      ['resource-default-crm.json', 1],
    ]);

    const entries = unzipSync(zip);
    expect(Object.keys(entries).sort()).toEqual([
      'manifest.json',
      'resource-default-checkout-db.json',
      'resource-default-crm.json',
    ]);
    for (const file of manifest.files) {
      const content = entries[file.name];
      expect(createHash('sha256').update(content).digest('hex')).toBe(
        file.sha256,
      );
      expect(content.length).toBe(file.sizeBytes);
    }

    const read = readExportArchive(zip);
    expect(read.manifest).toEqual(manifest);
    expect(read.files[0].records.orders).toEqual([
      { id: 1, email: 'a@example.com', total: '10' },
      { id: 2, email: 'a@example.com', avatar: { base64: 'cG5n' } },
    ]);
    expect(read.files[1]).toEqual({
      name: 'resource-default-crm.json',
      ...files[1],
    });
  });

  it('keeps two sources with the same file name apart', () => {
    const { manifest } = buildExportArchive(
      [
        { source: 'resource:default/a-b', records: {} },
        { source: 'resource:default/a b', records: {} },
        { source: 'manifest', records: {} },
      ],
      meta,
    );
    expect(manifest.files.map(f => f.name)).toEqual([
      'resource-default-a-b.json',
      'resource-default-a-b-2.json',
      'manifest-2.json',
    ]);
  });

  it('detects a modified, missing or extra file', () => {
    const { zip } = buildExportArchive(files, meta);
    const entries = unzipSync(zip);
    const name = 'resource-default-crm.json';

    const modified = { ...entries, [name]: Buffer.from('{"records":{}}') };
    expect(() => readExportArchive(zipSync(modified))).toThrow(
      /resource-default-crm\.json does not match the manifest/,
    );

    const { [name]: _removed, ...missing } = entries;
    expect(() => readExportArchive(zipSync(missing))).toThrow(
      /missing resource-default-crm\.json/,
    );

    const extra = { ...entries, 'other.json': Buffer.from('{}') };
    expect(() => readExportArchive(zipSync(extra))).toThrow(
      /does not list: other\.json/,
    );
  });

  it('streams the archive record by record: each file is the pretty JSON of its source', async () => {
    const sources: ExportFile[] = [
      ...files,
      { source: 'resource:default/empty', records: {} },
      { source: 'resource:default/none', records: { a: [], b: [null, 'x'] } },
    ];
    const chunks: Buffer[] = [];
    for await (const chunk of streamExportArchive(sources, meta)) {
      chunks.push(chunk);
    }
    const zip = Buffer.concat(chunks);
    expect(zip.equals(buildExportArchive(sources, meta).zip)).toBe(true);

    const entries = unzipSync(zip);
    const { manifest } = readExportArchive(zip);
    const plain = [
      {
        source: files[0].source,
        records: {
          orders: [
            { id: 1, email: 'a@example.com', total: '10' },
            { id: 2, email: 'a@example.com', avatar: { base64: 'cG5n' } },
          ],
          addresses: [{ id: 7, city: 'Lyon' }],
        },
      },
      files[1],
      sources[2],
      sources[3],
    ];
    manifest.files.forEach((file, i) => {
      expect(strFromU8(entries[file.name])).toBe(
        `${JSON.stringify(plain[i], null, 2)}\n`,
      );
    });
  });
});
