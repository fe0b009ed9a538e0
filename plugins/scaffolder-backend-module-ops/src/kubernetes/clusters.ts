import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { KubeConfig } from '@kubernetes/client-node';
import { z } from 'zod';

/**
 * Clusters as Backstage's Kubernetes plugin configures them, so an adopter
 * configures clusters once:
 *
 * ```yaml
 * kubernetes:
 *   clusterLocatorMethods:
 *     - type: config
 *       clusters:
 *         - name: production
 *           url: https://k8s.example.com
 *           authProvider: serviceAccount
 *           serviceAccountToken: ${K8S_TOKEN}
 *           caData: ${K8S_CA}
 *           skipTLSVerify: false
 * ```
 *
 * Only `type: config` locators with `authProvider: serviceAccount` are used
 * by the ops actions; other locator types are skipped.
 */

const clusterSchema = z
  .object({
    name: z
      .string({ required_error: 'name is required' })
      .min(1, 'name must not be empty'),
    url: z
      .string({ required_error: 'url is required' })
      .url('url must be a URL such as https://k8s.example.com')
      .refine(
        u => /^https?:\/\//.test(u),
        'url must start with http:// or https://',
      ),
    authProvider: z.literal('serviceAccount', {
      errorMap: () => ({
        message:
          'authProvider must be "serviceAccount" (the only one the ops actions support)',
      }),
    }),
    serviceAccountToken: z
      .string({
        required_error:
          'serviceAccountToken is required for authProvider serviceAccount',
      })
      .min(1, 'serviceAccountToken must not be empty'),
    caData: z.string().optional(),
    skipTLSVerify: z.boolean().optional(),
    title: z.string().optional(),
  })
  .superRefine((c, ctx) => {
    if (c.url.startsWith('http://') && c.skipTLSVerify !== true) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['skipTLSVerify'],
        message:
          'url uses plain http://, which @kubernetes/client-node allows only with skipTLSVerify: true (use https:// for a real cluster)',
      });
    }
  });

/** One configured cluster. */
export type OpsCluster = z.input<typeof clusterSchema>;

/** A configured cluster and a client configuration for it. */
export type ResolvedCluster = {
  name: string;
  url: string;
  kubeConfig: KubeConfig;
};

function formatIssues(where: string, error: z.ZodError): string {
  return error.issues
    .map(
      i =>
        `${where}${i.path.length ? `.${i.path.join('.')}` : ''}: ${i.message}`,
    )
    .join('; ');
}

/** Reads and validates the clusters; throws an `InputError` naming each problem. */
export function readClusters(config: Config): OpsCluster[] {
  const methods =
    config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? [];
  const clusters: OpsCluster[] = [];
  const problems: string[] = [];
  methods.forEach((method, m) => {
    const type = method.getOptionalString('type');
    if (type !== 'config') return;
    const raw = method.getOptional('clusters');
    if (raw === undefined) return;
    if (!Array.isArray(raw)) {
      problems.push(
        `kubernetes.clusterLocatorMethods[${m}].clusters: must be a list`,
      );
      return;
    }
    raw.forEach((cluster, c) => {
      const where = `kubernetes.clusterLocatorMethods[${m}].clusters[${c}]`;
      const parsed = clusterSchema.safeParse(cluster);
      if (parsed.success) {
        clusters.push(parsed.data);
      } else {
        problems.push(formatIssues(where, parsed.error));
      }
    });
  });
  const seen = new Set<string>();
  for (const c of clusters) {
    if (seen.has(c.name)) {
      problems.push(`kubernetes clusters: the name "${c.name}" is used twice`);
    }
    seen.add(c.name);
  }
  if (problems.length > 0) {
    throw new InputError(
      `Invalid Kubernetes cluster configuration: ${problems.join('; ')}`,
    );
  }
  return clusters;
}

/** A client configuration for one cluster (`KubeConfig.loadFromOptions`). */
export function toKubeConfig(cluster: OpsCluster): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [
      {
        name: cluster.name,
        server: cluster.url,
        caData: cluster.caData,
        skipTLSVerify: cluster.skipTLSVerify ?? false,
      },
    ],
    users: [
      {
        name: `${cluster.name}-service-account`,
        token: cluster.serviceAccountToken,
      },
    ],
    contexts: [
      {
        name: cluster.name,
        cluster: cluster.name,
        user: `${cluster.name}-service-account`,
      },
    ],
    currentContext: cluster.name,
  });
  return kubeConfig;
}

/**
 * Picks the cluster to use: the named one, or the only one configured.
 * Throws an `InputError` when that is not possible.
 */
export function resolveCluster(config: Config, name?: string): ResolvedCluster {
  const clusters = readClusters(config);
  if (clusters.length === 0) {
    throw new InputError(
      'No Kubernetes cluster is configured: add one under kubernetes.clusterLocatorMethods (type: config)',
    );
  }
  let cluster: OpsCluster | undefined;
  if (name) {
    cluster = clusters.find(c => c.name === name);
    if (!cluster) {
      throw new InputError(
        `Unknown Kubernetes cluster "${name}"; configured: ${clusters
          .map(c => c.name)
          .join(', ')}`,
      );
    }
  } else if (clusters.length === 1) {
    cluster = clusters[0];
  } else {
    throw new InputError(
      `Several Kubernetes clusters are configured (${clusters
        .map(c => c.name)
        .join(', ')}): say which one with the "cluster" input`,
    );
  }
  return {
    name: cluster.name,
    url: cluster.url,
    kubeConfig: toKubeConfig(cluster),
  };
}
