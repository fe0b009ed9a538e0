/**
 * The SLO frontend plugin. The new frontend system uses the `./alpha` entry;
 * this one serves apps on the legacy system.
 *
 * @packageDocumentation
 */
export { sloPlugin, SloPage, EntitySloContent } from './plugin';
export { sloApiRef, SloClient } from './api';
export type { SloApi } from './api';
