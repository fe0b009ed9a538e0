/**
 * The security frontend plugin: alerts raised by the live correlation rules,
 * with their triggering events. The new frontend system uses the `./alpha`
 * entry; this one serves apps on the legacy system.
 *
 * @packageDocumentation
 */
export { securityPlugin, SecurityPage } from './plugin';
export { securityApiRef, SecurityClient } from './api';
export type { SecurityApi, AlertListQuery } from './api';
