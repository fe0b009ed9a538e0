import { ConfigReader } from '@backstage/config';
import { readClusters, resolveCluster } from './clusters';

// A budget for a loaded machine, not a speed check.
jest.setTimeout(30_000);

const withClusters = (clusters: any) =>
  new ConfigReader({
    kubernetes: {
      clusterLocatorMethods: [
        { type: 'catalog' },
        { type: 'config', clusters },
      ],
    },
  });

const good = {
  name: 'production',
  url: 'https://k8s.example.com',
  authProvider: 'serviceAccount',
  serviceAccountToken: 'secret',
  caData: 'Q0E=',
};

describe('clusters', () => {
  it('reads config clusters into a KubeConfig', () => {
    const cluster = resolveCluster(withClusters([good]));
    expect(cluster.name).toBe('production');
    const kc = cluster.kubeConfig;
    expect(kc.getCurrentCluster()).toMatchObject({
      name: 'production',
      server: 'https://k8s.example.com',
      caData: 'Q0E=',
      skipTLSVerify: false,
    });
    expect(kc.getCurrentUser()?.token).toBe('secret');
  });

  it('names every problem with its place', () => {
    expect(() =>
      readClusters(
        withClusters([
          {
            name: 'a',
            url: 'not a url',
            authProvider: 'aws',
            serviceAccountToken: 'x',
          },
          {
            name: 'b',
            url: 'http://localhost:1234',
            authProvider: 'serviceAccount',
          },
        ]),
      ),
    ).toThrow(
      'Invalid Kubernetes cluster configuration: ' +
        'kubernetes.clusterLocatorMethods[1].clusters[0].url: url must be a URL such as https://k8s.example.com; ' +
        'kubernetes.clusterLocatorMethods[1].clusters[0].url: url must start with http:// or https://; ' +
        'kubernetes.clusterLocatorMethods[1].clusters[0].authProvider: authProvider must be "serviceAccount" (the only one the ops actions support); ' +
        'kubernetes.clusterLocatorMethods[1].clusters[1].serviceAccountToken: serviceAccountToken is required for authProvider serviceAccount',
    );
  });

  it('requires skipTLSVerify for plain http', () => {
    expect(() =>
      readClusters(withClusters([{ ...good, url: 'http://127.0.0.1:8001' }])),
    ).toThrow(
      'clusters[0].skipTLSVerify: url uses plain http://, which @kubernetes/client-node allows only with skipTLSVerify: true',
    );
  });

  it('picks a cluster by name, or asks which one', () => {
    const config = withClusters([good, { ...good, name: 'staging' }]);
    expect(resolveCluster(config, 'staging').name).toBe('staging');
    expect(() => resolveCluster(config)).toThrow(
      'Several Kubernetes clusters are configured (production, staging): say which one with the "cluster" input',
    );
    expect(() => resolveCluster(config, 'qa')).toThrow(
      'Unknown Kubernetes cluster "qa"; configured: production, staging',
    );
    expect(() => resolveCluster(new ConfigReader({}))).toThrow(
      'No Kubernetes cluster is configured',
    );
    expect(() => readClusters(withClusters([good, good]))).toThrow(
      'the name "production" is used twice',
    );
  });
});
