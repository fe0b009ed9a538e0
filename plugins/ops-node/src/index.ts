/**
 * Shared backend building blocks of the ops plugins: validated config, the
 * job queue drivers, migrations, health and permission checks.
 *
 * @packageDocumentation
 */
export * from './config';
export * from './configuredQueue';
export * from './database';
export * from './http';
export * from './paging';
export * from './plugin';
export * from './queue';
