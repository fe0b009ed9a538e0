import { BlobStore, createBlobStore } from '@internal/plugin-ops-node';
import type { Region } from '@internal/plugin-privacy-common';
import { type PrivacyConfig, configuredConnections } from '../config';
import { connectionConfigSchema, createConnector } from '../connectors';
import { parseConnectionConfig } from '../connectors/validation';
import type { DataSourceConnector } from '../connectors/types';
import { Keyring, MasterKey, createKeyring, parseKey } from '../crypto';

/**
 * Everything one region executes with: its master key and keyring, its
 * storage and only its own connectors. The executor of a request asks for
 * the runtime of the request's region and can reach nothing else.
 */
export interface RegionRuntime {
  region: Region;
  masterKey: MasterKey;
  keyring: Keyring;
  storage: BlobStore;
  connectors: Map<string, DataSourceConnector>;
}

export function createRegionRuntimes(
  config: PrivacyConfig,
): Map<Region, RegionRuntime> {
  const runtimes = new Map<Region, RegionRuntime>();
  for (const [region, settings] of Object.entries(config.regions) as Array<
    [Region, PrivacyConfig['regions'][Region]]
  >) {
    if (!settings) continue;
    const at = `privacy.regions.${region}`;
    const masterKey = {
      id: settings.masterKey.id,
      key: parseKey(settings.masterKey.key, `${at}.masterKey.key`),
    };
    const previous = settings.previousKeys.map((k, i) => ({
      id: k.id,
      key: parseKey(k.key, `${at}.previousKeys[${i}].key`),
    }));
    runtimes.set(region, {
      region,
      masterKey,
      keyring: createKeyring([masterKey, ...previous]),
      storage: createBlobStore(settings.storage),
      connectors: new Map(),
    });
  }
  // Demo stores never serve a real portal: configuredConnections leaves
  // them out unless privacy.demo.enabled.
  for (const connection of configuredConnections(config)) {
    const { name, settings } = connection;
    // An excluded connection is still checked, but never opened.
    const parsed = parseConnectionConfig(
      name,
      connectionConfigSchema,
      settings,
    );
    if (!runtimes.has(parsed.region)) {
      throw new Error(
        `Invalid configuration at privacy.connections.${name}.region: region ${parsed.region} has no privacy.regions entry`,
      );
    }
    if (connection.excluded) continue;
    const connector = createConnector(name, parsed, {
      allowInsecureHttp: config.demo.enabled,
    });
    runtimes.get(parsed.region)!.connectors.set(name, connector);
  }
  return runtimes;
}

export async function closeRegionRuntimes(
  runtimes: Map<Region, RegionRuntime>,
) {
  for (const runtime of runtimes.values()) {
    for (const connector of runtime.connectors.values())
      await connector.close();
  }
}
