/**
 * The SOC 2 evidence backend plugin.
 *
 * @packageDocumentation
 */
export { evidencePlugin as default } from './plugin';
