import type { Config } from '@backstage/config';
import { readValidatedConfig } from '@internal/plugin-ops-node';
import { z } from 'zod';
import type { RestoreTarget } from './types';

const nameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/,
    'letters, digits, dot, dash or underscore (it names the evidence file)',
  );

const connectionSchema = z
  .object({
    host: z.string().min(1),
    port: z.coerce.number().int().min(1).max(65535).default(5432),
    user: z.string().min(1),
    password: z.string().optional(),
    database: z.string().min(1),
  })
  .strict();

const targetSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('postgres'),
      name: nameSchema,
      connection: connectionSchema,
      scratchConnection: connectionSchema.optional(),
      binDir: z.string().min(1).optional(),
      entityRef: z.string().min(1).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('sqlite'),
      name: nameSchema,
      path: z
        .string()
        .min(1)
        .refine(path => path !== ':memory:', {
          message: 'an in-memory database cannot be backed up; give a file',
        }),
      entityRef: z.string().min(1).optional(),
    })
    .strict(),
]);

/** `evidence.backupRestore`: what the backup and restore collector tests. */
export const backupRestoreConfigSchema = z
  .object({
    targets: z
      .array(targetSchema)
      .default([])
      .refine(
        targets =>
          new Set(targets.map(target => target.name)).size === targets.length,
        { message: 'target names must be unique' },
      ),
    /** How long one run (all targets) may take. */
    timeoutMinutes: z.number().positive().default(30),
  })
  .strict()
  .default({});

export interface BackupRestoreConfig {
  targets: RestoreTarget[];
  timeoutMs: number;
}

/** Reads and validates `evidence.backupRestore`. */
export function readBackupRestoreConfig(config: Config): BackupRestoreConfig {
  const parsed = readValidatedConfig(
    config,
    'evidence.backupRestore',
    backupRestoreConfigSchema,
  );
  return {
    targets: parsed.targets,
    timeoutMs: parsed.timeoutMinutes * 60_000,
  };
}
