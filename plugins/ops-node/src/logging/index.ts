export { ecsRootLoggerServiceFactory } from './ecsRootLoggerServiceFactory';
export type { EcsRootLoggerFactoryOptions } from './ecsRootLoggerServiceFactory';
export { createOpsRootLogger, opsEcsFormat } from './createOpsRootLogger';
export type { OpsRootLoggerOptions } from './createOpsRootLogger';
export { readLogFormat, opsLogFormats } from './loggingConfig';
export type { OpsLogFormat } from './loggingConfig';
export { redactUrl, redactQuery } from './redactUrl';
export type { RedactedUrl } from './redactUrl';
export { opsAccessLogging } from './opsAccessLogging';
export type { OpsAccessLoggingOptions } from './opsAccessLogging';
export {
  opsRootHttpRouterServiceFactory,
  configureOpsRootHttpRouter,
} from './opsRootHttpRouterServiceFactory';
export { LogTap, opsLogTapServiceRef } from './logTap';
export type { LogTapEntry, LogTapListener } from './logTap';
export {
  auditorEventToEcs,
  auditorCategorization,
  isAuditorEvent,
  AUDITOR_EVENT_KEYS,
} from './auditorEventToEcs';
export type { AuditorEcsFields, AuditorEventLike } from './auditorEventToEcs';
export { clientAddress } from './clientAddress';
