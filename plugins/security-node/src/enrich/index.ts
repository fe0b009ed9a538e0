import type { EcsDocument } from '../correlation/types';
import { createGeoIpEnricher } from './geoip';
import { createUserAgentEnricher } from './userAgent';

export { createUserAgentEnricher } from './userAgent';
export { createGeoIpEnricher, geoIpEnricherOf, geoOf } from './geoip';

export type Enricher = (doc: EcsDocument) => EcsDocument;

export interface EnrichOptions {
  /** Path of a MaxMind-format (.mmdb) database; no GeoIP without one. */
  geoipDatabasePath?: string;
}

/** User agent parsing always; GeoIP when a database is configured. */
export async function createEnricher(
  options: EnrichOptions = {},
): Promise<Enricher> {
  const steps: Enricher[] = [createUserAgentEnricher()];
  if (options.geoipDatabasePath) {
    steps.push(await createGeoIpEnricher(options.geoipDatabasePath));
  }
  return doc => steps.reduce((current, step) => step(current), doc);
}
