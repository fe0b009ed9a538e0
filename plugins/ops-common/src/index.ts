/**
 * Isomorphic pieces every ops plugin shares, frontend and backend alike:
 * the list envelope, time constants, the priority scale and the wording of
 * schema problems.
 *
 * @packageDocumentation
 */
export * from './audit';
export * from './paging';
export * from './priority';
export * from './schemaIssues';
export * from './time';
