/**
 * What an adopter needs to add an evidence collector as a backend module:
 * the collector contract and `evidenceCollectorsExtensionPoint`.
 *
 * @packageDocumentation
 */
export * from './collectors';
