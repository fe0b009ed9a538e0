/**
 * The privacy (DSAR orchestrator) backend plugin.
 *
 * @packageDocumentation
 */
export { privacyPlugin as default } from './plugin';
export {
  createPrivacyRequestConditionalDecision,
  privacyRequestConditions,
  privacyRequestResourceRef,
  privacyRequestRules,
} from './requestPermissions';
export type {
  PrivacyRequestQuery,
  PrivacyRequestResource,
} from './requestPermissions';
