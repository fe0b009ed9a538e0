/**
 * The DR drills backend plugin.
 *
 * @packageDocumentation
 */
export { drillsPlugin as default } from './plugin';
