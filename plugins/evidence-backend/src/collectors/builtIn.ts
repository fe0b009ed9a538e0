import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type { Entity } from '@backstage/catalog-model';
import type { EvidenceCollector } from '@internal/plugin-evidence-node';
import type { Knex } from 'knex';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { readValidatedConfig } from '@internal/plugin-ops-node';
import {
  createBackupRestoreCollector,
  readBackupRestoreConfig,
} from './backupRestore';
import type { RestoreTarget } from './backupRestore/types';
import {
  changeManagementOptionsFromConfig,
  createChangeManagementCollector,
} from './changeManagement';
import { createHardeningCollector, createManifestReader } from './hardening';
import {
  createIncidentDrillsCollector,
  createMonitoringCollector,
  createPrivacyCollector,
} from './pluginApis';
import { createSbomCollector } from './sbom';

/** The folder above `from` holding `yarn.lock`: the workspace the portal runs from. */
export function findWorkspaceRoot(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'yarn.lock'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

export const BUILT_IN_COLLECTOR_IDS = [
  'change-management',
  'sbom',
  'hardening',
  'backup-restore',
  'monitoring',
  'privacy',
  'incident-drills',
] as const;

const builtInSchema = z
  .object({
    /** Built-in collectors to leave out, by id. */
    disabled: z.array(z.enum(BUILT_IN_COLLECTOR_IDS)).default([]),
    sbom: z
      .object({ workspaceRoot: z.string().min(1).optional() })
      .strict()
      .default({}),
    hardening: z
      .object({
        /** Where `ops.portal/manifests` paths start; default the workspace. */
        manifestsRoot: z.string().min(1).optional(),
        allowedRegistries: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .default({}),
  })
  .strict()
  .default({});

/**
 * The collectors that come with the plugin, from config: change management
 * (git, GitHub), SBOM, hardening, backup and restore, and those that read
 * the SLO, privacy and drills plugins. The access review needs the portal's
 * permission policy, so the backend package adds it as a module.
 */
export function createBuiltInCollectors(options: {
  config: Config;
  db: Knex;
  demo: boolean;
  /** Whether A1.2 (availability) is among the configured criteria. */
  availabilityCriteria: boolean;
  loadComponents(): Promise<Entity[]>;
  auth: AuthService;
  discovery: DiscoveryService;
}): EvidenceCollector[] {
  const { config, loadComponents } = options;
  const settings = readValidatedConfig(
    config,
    'evidence.builtInCollectors',
    builtInSchema,
  );
  const workspaceRoot =
    settings.sbom.workspaceRoot ?? findWorkspaceRoot(process.cwd());
  const fromWorkspace = (path: string) =>
    isAbsolute(path) ? path : resolve(workspaceRoot ?? process.cwd(), path);

  const changeManagement = changeManagementOptionsFromConfig(config);
  // Relative repository paths (the demo's own repository) start at the workspace.
  for (const setting of Object.values(changeManagement.repositories ?? {})) {
    const location = typeof setting === 'string' ? undefined : setting;
    if (location && /^\.{1,2}(\/|$)/.test(location.url)) {
      location.url = fromWorkspace(location.url);
    }
  }

  const backupRestore = readBackupRestoreConfig(config);
  const targets: RestoreTarget[] = [...backupRestore.targets];
  if (options.demo && options.db.client.config.client === 'better-sqlite3') {
    // The demo's embedded database lives in memory: the test borrows the
    // plugin's own connection and backs it up through SQLite's backup API.
    targets.push({
      kind: 'sqlite',
      name: 'embedded-evidence-database',
      path: ':memory:',
      connect: async () => {
        const connection = await options.db.client.acquireConnection();
        return {
          db: connection,
          release: () => options.db.client.releaseConnection(connection),
        };
      },
    });
  }

  const siblings = { auth: options.auth, discovery: options.discovery };
  const all: EvidenceCollector[] = [
    createChangeManagementCollector({
      ...changeManagement,
      loadEntities: loadComponents,
    }),
    createHardeningCollector({
      loadEntities: loadComponents,
      readManifests: createManifestReader(
        fromWorkspace(settings.hardening.manifestsRoot ?? '.'),
      ),
      params: { allowedRegistries: settings.hardening.allowedRegistries },
    }),
    createBackupRestoreCollector({
      ...backupRestore,
      targets,
      availabilityCriteria: options.availabilityCriteria,
    }),
    createMonitoringCollector(siblings),
    createPrivacyCollector(siblings),
    createIncidentDrillsCollector(siblings),
  ];
  if (workspaceRoot) all.push(createSbomCollector({ workspaceRoot }));
  return all.filter(
    c =>
      !settings.disabled.includes(
        c.id as (typeof BUILT_IN_COLLECTOR_IDS)[number],
      ),
  );
}
