/**
 * The privacy (DSAR orchestrator) backend plugin.
 *
 * @packageDocumentation
 */
export { privacyPlugin as default } from './plugin';
