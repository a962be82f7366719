/**
 * The Kubernetes objects of one simulated workload, as a user would apply them: its namespace, a
 * Deployment (one container, port 5000, requests 500m/256Mi, limits 1/512Mi, RollingUpdate 25%/25%),
 * a Service named after it selecting `app: <name>` (what the ingress routes to), and an HPA when
 * asked for. A workload's request metrics (when not the default, flask) are a pod-template annotation.
 */
import type { ObjectStore } from '../store/types.js';
import type { ClusterCache } from '../controller/cluster-cache.js';
import { requestMetricsAnnotation } from '../metrics/request-metrics.js';
import type { WorkloadSpec } from './simulation-options.js';

/** Creates the objects of `spec` that do not exist yet (the namespace and Service may). */
export function createWorkloadObjects(store: ObjectStore, cache: ClusterCache, spec: WorkloadSpec): void {
  if (!cache.get('/namespaces', undefined, spec.namespace)) {
    store.create('/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: spec.namespace, labels: { 'kubernetes.io/metadata.name': spec.namespace } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  }
  const labels = { app: spec.name };
  store.create('apps/deployments', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: spec.name, namespace: spec.namespace, labels },
    spec: {
      replicas: spec.replicas,
      selector: { matchLabels: labels },
      template: {
        // Only a non-default choice is written: the default template (and its pod-template-hash) stays as it was.
        metadata: { labels: { ...spec.labels, ...labels }, ...(spec.requestMetrics && spec.requestMetrics !== 'flask' ? { annotations: { [requestMetricsAnnotation]: spec.requestMetrics } } : {}) },
        spec: {
          containers: [
            {
              name: spec.name,
              image: spec.image ?? `registry.local/${spec.name}:1.0.0`,
              ports: [{ name: 'http', containerPort: 5000, protocol: 'TCP' }],
              resources: { requests: { cpu: '500m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
            },
          ],
        },
      },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
  });
  if (!store.get('/services', spec.namespace, spec.name)) {
    store.create('/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: spec.name, namespace: spec.namespace, labels },
      spec: { type: 'ClusterIP', selector: labels, ports: [{ name: 'http', port: 5000, targetPort: 'http', protocol: 'TCP' }] },
    });
  }
  if (spec.hpa) {
    store.create('autoscaling/horizontalpodautoscalers', {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: spec.name, namespace: spec.namespace },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: spec.name },
        minReplicas: spec.hpa.minReplicas,
        maxReplicas: spec.hpa.maxReplicas,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.hpa.targetCpuUtilization } } }],
      },
    });
  }
}
