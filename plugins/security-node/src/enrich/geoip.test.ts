import { Reader } from 'maxmind';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeMmdb, encodeValue } from './__testUtils__/mmdbWriter';
import { createGeoIpEnricher, geoIpEnricherOf } from './geoip';
import { createEnricher } from '.';

const BERLIN = {
  city: { geoname_id: 2950159, names: { en: 'Berlin', de: 'Berlin' } },
  continent: { code: 'EU', geoname_id: 6255148, names: { en: 'Europe' } },
  country: { geoname_id: 2921044, iso_code: 'DE', names: { en: 'Germany' } },
  location: {
    accuracy_radius: 20,
    latitude: 52.5244,
    longitude: 13.4105,
    time_zone: 'Europe/Berlin',
  },
  subdivisions: [
    { geoname_id: 2950157, iso_code: 'BE', names: { en: 'Land Berlin' } },
  ],
};
const SANTIAGO = {
  country: { geoname_id: 3895114, iso_code: 'CL', names: { en: 'Chile' } },
  location: { accuracy_radius: 100, latitude: -33.45, longitude: -70.6667 },
};

const database = () =>
  writeMmdb(
    [
      { cidr: '203.0.113.0/24', data: BERLIN },
      { cidr: '198.51.100.128/25', data: SANTIAGO },
    ],
    { databaseType: 'Test-City', buildEpoch: 1741082400 },
  );

const event = (ip?: string) => ({
  '@timestamp': '2025-03-04T10:00:00.000Z',
  ecs: { version: '9.4.0' as const },
  source: ip ? { ip } : undefined,
});

describe('the test MMDB writer', () => {
  it('encodes sizes past the one-byte forms', () => {
    expect(encodeValue('x'.repeat(28))[0]).toBe((2 << 5) | 28);
    expect([...encodeValue('x'.repeat(100)).subarray(0, 2)]).toEqual([
      (2 << 5) | 29,
      71,
    ]);
    expect([...encodeValue('x'.repeat(300)).subarray(0, 3)]).toEqual([
      (2 << 5) | 30,
      0,
      15,
    ]);
    expect([...encodeValue([true]).subarray(0, 2)]).toEqual([1, 4]);
  });

  it('writes a database the real maxmind reader reads back', () => {
    const reader = new Reader<any>(database());
    expect(reader.metadata).toMatchObject({
      databaseType: 'Test-City',
      ipVersion: 4,
      recordSize: 24,
      binaryFormatMajorVersion: 2,
      languages: ['en'],
      buildEpoch: new Date(1741082400 * 1000),
    });
    expect(reader.get('203.0.113.77')).toEqual(BERLIN);
    expect(reader.get('198.51.100.200')).toEqual(SANTIAGO);
    expect(reader.get('198.51.100.127')).toBeNull();
    expect(reader.get('192.0.2.1')).toBeNull();
    expect(reader.getWithPrefixLength('203.0.113.1')[1]).toBe(24);
  });
});

describe('GeoIP enrichment', () => {
  const enrich = geoIpEnricherOf(new Reader(database()));

  it('adds source.geo for a known address', () => {
    expect(enrich(event('203.0.113.9')).source).toEqual({
      ip: '203.0.113.9',
      geo: {
        city_name: 'Berlin',
        country_iso_code: 'DE',
        country_name: 'Germany',
        continent_code: 'EU',
        continent_name: 'Europe',
        region_iso_code: 'DE-BE',
        region_name: 'Land Berlin',
        timezone: 'Europe/Berlin',
        location: { lat: 52.5244, lon: 13.4105 },
      },
    });
    expect(enrich(event('198.51.100.130')).source?.geo).toEqual({
      country_iso_code: 'CL',
      country_name: 'Chile',
      location: { lat: -33.45, lon: -70.6667 },
    });
  });

  it('leaves unknown, IPv6-in-IPv4-db, invalid and missing addresses alone', () => {
    for (const ip of ['192.0.2.1', '2001:db8::1', 'not-an-ip', undefined]) {
      const input = event(ip);
      expect(enrich(input)).toBe(input);
    }
  });

  it('opens a database from a configured path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'geoip-'));
    try {
      const path = join(dir, 'test.mmdb');
      writeFileSync(path, database());
      const fromPath = await createGeoIpEnricher(path);
      expect(fromPath(event('203.0.113.1')).source?.geo?.city_name).toBe(
        'Berlin',
      );
      const all = await createEnricher({ geoipDatabasePath: path });
      const out = all({
        ...event('203.0.113.1'),
        user_agent: { original: 'curl/8.5.0' },
      });
      expect(out.source?.geo?.country_iso_code).toBe('DE');
      expect(out.user_agent).toEqual({ original: 'curl/8.5.0' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
