export type { AlertLinkStore, NotifierContext, NotifierFactory } from './types';
export {
  createNotifiers,
  notificationTargetsSchema,
  readNotificationTargets,
  type CreateNotifiersContext,
  type NotificationTargetConfig,
} from './createNotifiers';
export { DemoSinkStore, demoSinkDeliverer, redactSecrets } from './demoSink';
export type { RenderedRequest } from './http';
export { describeAlert, type AlertDescription } from './describe';
export { pagerDutyNotifier, renderPagerDutyRequest } from './pagerduty';
export { jiraNotifier, renderJiraRequest } from './jira';
export { slackNotifier, renderSlackRequest } from './slack';
export { statuspageNotifier, renderStatuspageRequest } from './statuspage';
export { backstageNotifier, renderBackstageRequest } from './backstage';
