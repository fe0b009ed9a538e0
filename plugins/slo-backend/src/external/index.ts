export {
  externalRoutingSchema,
  readExternalRouting,
  type ExternalRoute,
  type ExternalRouting,
} from './config';
export {
  externalDeliveries,
  externalIdempotencyKey,
  externalNotification,
} from './deliveries';
export {
  EXTERNAL_ALERT_AUDIT_TYPE,
  ExternalAlertService,
} from './ExternalAlertService';
