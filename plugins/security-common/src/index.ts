/**
 * Types and permissions shared by the security plugin's frontend and backend:
 * alerts raised by the live correlation rules, with their triggering events.
 *
 * @packageDocumentation
 */
export * from './api';
export * from './permissions';
