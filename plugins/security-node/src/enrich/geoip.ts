import { CityResponse, Reader, open } from 'maxmind';
import type { EcsDocument } from '../correlation/types';

type Geo = NonNullable<NonNullable<EcsDocument['source']>['geo']>;

/** The ECS geo fields of a MaxMind City (or Country) record, English names. */
export function geoOf(record: CityResponse): Geo | undefined {
  const geo: Record<string, unknown> = {
    city_name: record.city?.names.en,
    country_iso_code: record.country?.iso_code,
    country_name: record.country?.names.en,
    continent_code: record.continent?.code,
    continent_name: record.continent?.names.en,
    region_iso_code:
      record.country?.iso_code && record.subdivisions?.[0]?.iso_code
        ? `${record.country.iso_code}-${record.subdivisions[0].iso_code}`
        : undefined,
    region_name: record.subdivisions?.[0]?.names.en,
    postal_code: record.postal?.code,
    timezone: record.location?.time_zone,
    location:
      record.location &&
      typeof record.location.latitude === 'number' &&
      typeof record.location.longitude === 'number'
        ? { lat: record.location.latitude, lon: record.location.longitude }
        : undefined,
  };
  for (const key of Object.keys(geo)) {
    if (geo[key] === undefined) delete geo[key];
  }
  return Object.keys(geo).length > 0 ? (geo as Geo) : undefined;
}

/** Adds `source.geo.*` for `source.ip` from a MaxMind reader. */
export function geoIpEnricherOf(reader: Reader<CityResponse>) {
  return (doc: EcsDocument): EcsDocument => {
    const ip = doc.source?.ip;
    if (typeof ip !== 'string' || ip === '') return doc;
    let record: CityResponse | null;
    try {
      record = reader.get(ip);
    } catch {
      return doc; // not an IP address: leave it be
    }
    const geo = record ? geoOf(record) : undefined;
    return geo ? { ...doc, source: { ...doc.source, geo } } : doc;
  };
}

/** Opens a MaxMind-format database (GeoLite2/GeoIP2 City or Country). */
export async function createGeoIpEnricher(databasePath: string) {
  const reader = await open<CityResponse>(databasePath, {
    cache: { max: 10_000 },
  });
  return geoIpEnricherOf(reader);
}
