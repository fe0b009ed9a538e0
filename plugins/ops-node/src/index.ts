/**
 * Shared backend building blocks of the ops plugins: the plugin start
 * (migrations, permissions, health), validated config, the job queue, the
 * audit chain, the blob store, the outbox, batching, paging, metrics,
 * permission middleware and multipart uploads. See the README.
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
export * from './logging';
export * from './metrics';
export * from './outbox';
export * from './paging';
export * from './queue';
export * from './schema';
export * from './startOpsPlugin';
export * from './uploads';
