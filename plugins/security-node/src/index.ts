/**
 * Security events of the ops portal: ECS normalization of logs and audit
 * events, and streaming correlation rules over them. Plain modules, used by
 * the backend's live pipeline and by the `yarn ops:siem` CLI.
 *
 * @packageDocumentation
 */
export type { EcsDocument, SecurityAlert } from './correlation/types';
export * from './correlation';
export * from './normalize';
export * from './enrich';
export * from './cli';
