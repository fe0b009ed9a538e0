/**
 * The security backend plugin: the correlation rules on the backend's live
 * log stream, alerts with their triggering events, notifications through
 * the SLO plugin's notifiers.
 *
 * @packageDocumentation
 */
export { securityPlugin as default } from './plugin';
