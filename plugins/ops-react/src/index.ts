/**
 * Shared frontend pieces of the ops plugins: the API client base, the page
 * frame and a server-paged table.
 *
 * @packageDocumentation
 */
export * from './OpsApiClient';
export * from './OpsPage';
export * from './PagedTable';
