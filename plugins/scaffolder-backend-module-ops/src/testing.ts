/**
 * Test helpers for other packages: the Kubernetes API stand-in (apps/v1
 * Deployments and ReplicaSets with a small controller) that the module's own
 * tests and the demo use.
 *
 * @packageDocumentation
 */
export * from './kubernetes/standIn';
