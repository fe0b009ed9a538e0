/**
 * The privacy (DSAR) frontend plugin. The new frontend system uses the
 * `./alpha` entry; this one serves apps on the legacy system.
 *
 * @packageDocumentation
 */
export { privacyPlugin, PrivacyPage, EntityPrivacyContent } from './plugin';
export { privacyApiRef, PrivacyClient } from './api';
export type {
  PrivacyApi,
  RequestListQuery,
  SubmitOptions,
  SubmitResult,
} from './api';
