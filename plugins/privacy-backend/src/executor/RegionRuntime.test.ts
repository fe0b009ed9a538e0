import { ConfigReader } from '@backstage/config';
import { LocalBlobStore, S3BlobStore } from '@internal/plugin-ops-node';
import {
  FakeS3Server,
  startFakeS3Server,
} from '@internal/plugin-ops-node/testing';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPrivacyConfig } from '../config';
import { createRegionRuntimes } from './RegionRuntime';

type JsonObject = NonNullable<ConstructorParameters<typeof ConfigReader>[0]>;

const key = () => randomBytes(32).toString('base64');
const credentials = {
  accessKeyId: 'AKIATESTPRIVACY',
  secretAccessKey: 'test-secret-access-key',
};

function readConfig(regions: Record<string, JsonObject>) {
  return readPrivacyConfig(
    new ConfigReader({
      privacy: {
        identifiers: { key: { id: 'ids-1', key: key() }, pepper: 'p' },
        regions,
      },
    }),
  );
}

describe('region storage', () => {
  let server: FakeS3Server;
  let directory: string;
  beforeAll(async () => {
    server = await startFakeS3Server({
      accessKeyId: credentials.accessKeyId,
      buckets: ['privacy-us'],
    });
    directory = await mkdtemp(join(tmpdir(), 'privacy-region-'));
  });
  afterAll(async () => {
    await server.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('gives each region the blob store its storage settings describe', async () => {
    const runtimes = createRegionRuntimes(
      readConfig({
        EU: {
          masterKey: { id: 'eu-1', key: key() },
          storage: { directory: join(directory, 'EU') },
        },
        US: {
          masterKey: { id: 'us-1', key: key() },
          storage: {
            s3: {
              bucket: 'privacy-us',
              prefix: 'exports/v1',
              endpoint: server.endpoint,
              credentials,
            },
          },
        },
      }),
    );
    const eu = runtimes.get('EU')!.storage;
    const us = runtimes.get('US')!.storage;
    expect(eu).toBeInstanceOf(LocalBlobStore);
    expect(us).toBeInstanceOf(S3BlobStore);

    const stored = await us.put('exports/req-1.zip.enc', Buffer.from('sealed'));
    expect(stored.location).toBe(
      's3://privacy-us/exports/v1/exports/req-1.zip.enc',
    );
    expect([...server.buckets.get('privacy-us')!.keys()]).toEqual([
      'exports/v1/exports/req-1.zip.enc',
    ]);
    expect((await us.getBuffer('exports/req-1.zip.enc')).toString()).toBe(
      'sealed',
    );
    await expect(eu.getBuffer('exports/req-1.zip.enc')).rejects.toMatchObject({
      name: 'NotFoundError',
    });
  });

  it('names the region in a storage configuration error', () => {
    expect(() =>
      readConfig({
        EU: {
          masterKey: { id: 'eu-1', key: key() },
          storage: { directory: '/data', s3: { bucket: 'b' } },
        },
      }),
    ).toThrow(
      'Invalid configuration at privacy.regions.EU.storage: set either directory (a local folder) or s3 (an S3-compatible bucket), exactly one',
    );
    expect(() =>
      readConfig({
        EU: {
          masterKey: { id: 'eu-1', key: key() },
          storage: { s3: { bucket: 'b', prefix: '/exports/' } },
        },
      }),
    ).toThrow(
      'Invalid configuration at privacy.regions.EU.storage.s3.prefix: use letters',
    );
  });
});

describe('region connectors', () => {
  const read = (connections: JsonObject, demo: boolean) =>
    readPrivacyConfig(
      new ConfigReader({
        privacy: {
          identifiers: { key: { id: 'ids-1', key: key() }, pepper: 'p' },
          regions: {
            EU: {
              masterKey: { id: 'eu-1', key: key() },
              storage: { directory: '/tmp/privacy-eu' },
            },
          },
          connections,
          demo: { enabled: demo },
        },
      }),
    );
  const http = (url: string, extra: JsonObject = {}) => ({
    type: 'http',
    region: 'EU',
    url,
    secret: 'a-shared-secret-of-32-characters',
    ...extra,
  });

  it('opens every configured connection but excluded ones, and demo ones only in demo mode', () => {
    const connections = {
      crm: http('https://crm.example.com/dsar'),
      archive: http('https://archive.example.com/dsar', {
        excluded: true,
        excludedReason: 'read-only archive, purged by retention',
      }),
      demoApi: http('http://localhost:7007/dsar', { demo: true }),
    };
    expect([
      ...createRegionRuntimes(read(connections, false))
        .get('EU')!
        .connectors.keys(),
    ]).toEqual(['crm']);
    expect(
      [
        ...createRegionRuntimes(read(connections, true))
          .get('EU')!
          .connectors.keys(),
      ].sort(),
    ).toEqual(['crm', 'demoApi']);
  });

  it('still validates an excluded connection', () => {
    expect(() =>
      createRegionRuntimes(
        read(
          {
            archive: http('https://archive.example.com/dsar', {
              secret: 'short',
              excluded: true,
              excludedReason: 'read-only archive, purged by retention',
            }),
          },
          false,
        ),
      ),
    ).toThrow(/archive\.secret/);
  });
});
