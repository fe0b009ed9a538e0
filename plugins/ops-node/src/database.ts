import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';

/**
 * Returns the plugin's knex client with its migrations applied, unless the
 * operator set `database.migrations.skip` (then they are run out of band).
 * `packageName` is the plugin's npm name: its `migrations/` folder is resolved
 * through it, so this works from source and from a built package alike.
 */
export async function migratedClient(
  database: DatabaseService,
  packageName: string,
  options: {
    /**
     * Where knex records the migrations it ran (default `knex_migrations`):
     * a backend module sharing its plugin's database keeps its own.
     */
    tableName?: string;
  } = {},
): Promise<Knex> {
  const client = await database.getClient();
  if (!database.migrations?.skip) {
    await client.migrate.latest({
      directory: resolvePackagePath(packageName, 'migrations'),
      ...(options.tableName && { tableName: options.tableName }),
    });
  }
  return client;
}

/** Whether `db` talks to PostgreSQL (the other supported database is SQLite). */
export function isPostgres(db: Knex): boolean {
  const client = db.client.config?.client;
  return (
    client === 'pg' ||
    client === 'postgres' ||
    client === 'postgresql' ||
    db.client.dialect === 'postgresql'
  );
}
