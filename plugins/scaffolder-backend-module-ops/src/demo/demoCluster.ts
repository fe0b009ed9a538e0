import { createHash } from 'node:crypto';
import { KubernetesStandIn } from '../kubernetes/standIn';

/** The demo services (examples/entities.yaml) and their release history, oldest first. */
export const DEMO_RELEASES: Record<string, string[]> = {
  'api-gateway': ['1.41.0', '1.42.0', '1.42.1'],
  checkout: ['3.7.0', '3.8.0', '3.9.0'],
  payments: ['2.13.2', '2.14.0'],
  accounts: ['5.0.3', '5.1.0', '5.1.1'],
  notifications: ['0.9.4', '1.0.0'],
  search: ['4.2.0', '4.3.0'],
  analytics: ['7.1.0', '7.2.0'],
};

/** A made-up image pinned by digest: the digest is the hash of its name and version. */
export function demoImage(service: string, version: string): string {
  const digest = createHash('sha256')
    .update(`${service}:${version}`)
    .digest('hex');
  return `registry.example.com/storefront/${service}@sha256:${digest}`;
}

/**
 * DEMO ONLY: starts the Kubernetes stand-in of the tests on `port`, holding
 * one Deployment per demo service (labelled with its
 * `backstage.io/kubernetes-id`, in `default`) with a few revisions each.
 * Every answer carries an `X-Kubernetes-Stand-In` header saying so.
 */
export async function startDemoCluster(options: {
  port: number;
  token: string;
  readyAfterMs: number;
  host?: string;
}): Promise<KubernetesStandIn> {
  const standIn = await KubernetesStandIn.start({
    host: options.host ?? '127.0.0.1',
    port: options.port,
    token: options.token,
    readyAfterMs: options.readyAfterMs,
    label: 'DEMO Kubernetes API of the ops portal (not a cluster)',
  });
  for (const [service, versions] of Object.entries(DEMO_RELEASES)) {
    standIn.seed({
      name: service,
      labels: { 'backstage.io/kubernetes-id': service },
      replicas: 2,
      containerName: service,
      images: versions.map(version => demoImage(service, version)),
    });
  }
  return standIn;
}
