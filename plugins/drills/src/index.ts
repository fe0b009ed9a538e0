/**
 * The DR drills frontend plugin. The new frontend system uses the `./alpha`
 * entry; this one serves apps on the legacy system.
 *
 * @packageDocumentation
 */
export { drillsPlugin, DrillsPage } from './plugin';
export { drillsApiRef, DrillsClient } from './api';
export type { DrillsApi } from './api';
