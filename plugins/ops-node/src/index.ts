/**
 * Shared backend building blocks of the ops plugins: validated config, the
 * job queue drivers, migrations, health and permission checks.
 *
 * @packageDocumentation
 */
export * from './audit';
export * from './batching';
export * from './blobs';
export * from './config';
export * from './configuredQueue';
export * from './database';
export * from './http';
export * from './metrics';
export * from './outbox';
export * from './paging';
export * from './startOpsPlugin';
export * from './queue';
