/**
 * Types, the control catalog and permissions shared by the evidence plugin's
 * frontend and backend.
 *
 * @packageDocumentation
 */
export * from './catalog';
export * from './changes';
export * from './permissions';
export * from './types';
