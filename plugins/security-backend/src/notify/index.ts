export {
  externalAlertOf,
  maskAddress,
  notificationSummary,
} from './notification';
export type { NotificationOptions, NotifiedAlert } from './notification';
export { sloAlertDeliverer } from './sloDeliverer';
export type { SloAlertDelivererOptions } from './sloDeliverer';
