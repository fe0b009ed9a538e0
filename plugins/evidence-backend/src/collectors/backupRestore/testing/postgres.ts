import { randomBytes } from 'node:crypto';
import knexFactory, { Knex } from 'knex';
import type { PostgresConnection } from '../types';

/** The test server, from the Backstage test database variable (unset: skip). */
export const TEST_POSTGRES_URL =
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;

export function testConnection(database = 'test'): PostgresConnection {
  const url = new URL(TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1');
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username || 'postgres'),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    database,
  };
}

export function connect(connection: PostgresConnection): Knex {
  return knexFactory({ client: 'pg', connection, pool: { min: 0, max: 2 } });
}

export function randomName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** Names of the databases on the test server that start with `prefix`. */
export async function databasesLike(
  admin: Knex,
  prefix: string,
): Promise<string[]> {
  const result = await admin.raw<{ rows: Array<{ datname: string }> }>(
    'SELECT datname FROM pg_database WHERE starts_with(datname, ?) ORDER BY 1',
    [prefix],
  );
  return result.rows.map(row => row.datname);
}

/**
 * Creates a source database with a few kinds of tables: a primary key and
 * timestamps, no primary key (with duplicate rows), JSON, arrays, bytea,
 * floats and numerics, a column named `t`, an empty table, and 10,000 rows in
 * a second schema. Returns its connection and a pool on it.
 */
export async function createSourceDatabase(
  admin: Knex,
): Promise<{ name: string; connection: PostgresConnection; db: Knex }> {
  const name = randomName('br_src');
  await admin.raw('CREATE DATABASE ??', [name]);
  const connection = testConnection(name);
  const db = connect(connection);
  await db.raw(`
    CREATE TABLE customers (
      id serial PRIMARY KEY,
      name text NOT NULL,
      created timestamptz NOT NULL DEFAULT '2026-01-02 03:04:05+01'
    );
    INSERT INTO customers (name) VALUES ('Ada'), ('Grace'), ('Edsger''s "quote"');

    CREATE TABLE events_log (at timestamp, level text, message text);
    INSERT INTO events_log VALUES
      ('2026-03-01 10:00', 'info', 'started'),
      ('2026-03-01 10:00', 'info', 'started'),
      (NULL, 'warn', NULL);

    CREATE TABLE docs (
      id int PRIMARY KEY,
      body jsonb NOT NULL,
      raw json,
      tags text[],
      amount numeric(12, 4),
      ratio double precision,
      payload bytea,
      t text
    );
    INSERT INTO docs VALUES
      (1, '{"a": 1, "b": [1, 2, {"c": null}]}', '{"z":  1}', '{x,y}', 12.5, 0.1, '\\x00ff10', 'row t'),
      (2, '{"name": "überall ☃"}', NULL, '{}', -0.0001, 1e-300, NULL, NULL),
      (3, '[]', '[1,2]', NULL, NULL, 'NaN', '', '');

    CREATE TABLE nothing_yet (id bigint PRIMARY KEY);

    CREATE SCHEMA audit;
    CREATE TABLE audit.big (
      id bigint PRIMARY KEY,
      label text NOT NULL,
      at timestamptz NOT NULL
    );
    INSERT INTO audit.big
      SELECT i, md5(i::text), timestamptz '2026-01-01 00:00:00+00' + i * interval '1 minute'
        FROM generate_series(1, 10000) AS i;
  `);
  return { name, connection, db };
}

export async function dropDatabase(admin: Knex, name: string) {
  await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
}
