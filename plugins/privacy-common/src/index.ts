/**
 * Types, schemas and permissions shared by the privacy plugin's frontend and backend.
 *
 * @packageDocumentation
 */
export * from './permissions';
export * from './requests';
export * from './states';
export * from './sources';
