import { createHash } from 'node:crypto';
import type { PrivacyConfig } from '../config';

/**
 * The key ids and the SHA-256 of every key and pepper committed in
 * app-config.yaml for the demo. Anyone can read them, so outside demo mode
 * the plugin refuses to start on any of them (a missing environment variable
 * in app-config.production.yaml drops its key and the base config's demo
 * key fills in). `committedKeys.test.ts` checks this list against the file.
 */
export const COMMITTED_KEY_IDS: ReadonlySet<string> = new Set([
  'demo-ids-1',
  'demo-eu-1',
  'demo-us-1',
  'demo-uk-1',
  'demo-apac-1',
]);

export const COMMITTED_SECRET_SHA256: ReadonlySet<string> = new Set([
  '38ed010918e54476f980fb417de6eb78158fdf993686909188c96a53de55e8da', // identifiers.key
  '3043751e959e3ea620ee1041ac751f4085e052194499a91acca8e71c4cfa1265', // identifiers.pepper
  '7bd206125b692ec8cefcc117acd455367aa0915b955a704d57871015a8e1e47c', // EU
  '8fc7bff43c76f489ee7ab2df9b142627cf25e4c246fc7ca2fb5a0517928887fd', // US
  'f494377163669b5d2973187938d226f4dfa81c39f426b59099d86d403c6e6ac0', // UK
  'd97e3c828bb52eaf469a622c4fd5fa5d178c3b70c94791162d79b724514f4c99', // APAC
]);

const isCommitted = (secret: string) =>
  COMMITTED_SECRET_SHA256.has(
    createHash('sha256').update(secret.trim()).digest('hex'),
  );

/**
 * Every key of `config` that is one committed in the repository, named by
 * its config path: what start-up refuses outside demo mode.
 */
export function committedKeysIn(
  config: Pick<PrivacyConfig, 'identifiers' | 'regions'>,
): string[] {
  const keys: Array<{ path: string; id?: string; secret: string }> = [
    {
      path: 'privacy.identifiers.key',
      id: config.identifiers.key.id,
      secret: config.identifiers.key.key,
    },
    { path: 'privacy.identifiers.pepper', secret: config.identifiers.pepper },
  ];
  for (const [region, settings] of Object.entries(config.regions)) {
    if (!settings) continue;
    keys.push({
      path: `privacy.regions.${region}.masterKey`,
      id: settings.masterKey.id,
      secret: settings.masterKey.key,
    });
    settings.previousKeys.forEach((key, i) =>
      keys.push({
        path: `privacy.regions.${region}.previousKeys.${i}`,
        id: key.id,
        secret: key.key,
      }),
    );
  }
  return keys
    .filter(
      key =>
        (key.id !== undefined && COMMITTED_KEY_IDS.has(key.id)) ||
        isCommitted(key.secret),
    )
    .map(key => key.path);
}
