export { AlertStore, dedupHash, notificationKey } from './AlertStore';
export type { AlertFilters, AlertStoreOptions } from './AlertStore';
export * from './tables';
export { canChangeStatus } from './transitions';
