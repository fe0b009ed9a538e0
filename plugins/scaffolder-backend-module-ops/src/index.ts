/**
 * Scaffolder actions of the ops portal: roll back a bad deploy of a catalog
 * service, run evidence collectors and drills (issue 12, in progress).
 *
 * @packageDocumentation
 */
export { default } from './module';
