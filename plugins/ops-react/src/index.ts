/**
 * Shared frontend pieces of the ops plugins: the API client base, the page
 * frame, a server-paged table, a chart frame, an error panel for failed reads and forms
 * checked against a shared schema.
 *
 * @packageDocumentation
 */
export * from './ChartFrame';
export * from './OpsApiClient';
export * from './OpsPage';
export * from './PagedTable';
export * from './forms';
export * from './LoadErrorPanel';
export * from './format';
export * from './useBlobDownload';
