import { BlobStore, createBlobStore } from '@internal/plugin-ops-node';
import type { Region } from '@internal/plugin-privacy-common';
import type { PrivacyConfig } from '../config';
import { createConnector } from '../connectors';
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
  for (const [name, { demo, ...raw }] of Object.entries(config.connections)) {
    if (demo && !config.demo.enabled) continue; // demo stores never serve a real portal
    const connector = createConnector(name, raw);
    const runtime = runtimes.get(connector.region);
    if (!runtime) {
      throw new Error(
        `Invalid configuration at privacy.connections.${name}.region: region ${connector.region} has no privacy.regions entry`,
      );
    }
    runtime.connectors.set(name, connector);
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
