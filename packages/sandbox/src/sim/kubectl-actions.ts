/**
 * The healing hooks that change a Deployment's spec the way kubectl does, written through the API
 * strategy (`writeDeploymentSpec` bumps the generation): `rollout restart`, `scale` and
 * `set image`. `rollout undo` is `controller/rollback.ts`.
 */
import { type Deployment, restartedAtAnnotation } from '../base/kube-types.js';
import { formatKubeTime } from '../base/kube-time.js';
import { writeDeploymentSpec } from '../controller/deployment-util.js';
import type { ObjectStore } from '../store/types.js';
import { faultyTemplateAnnotations } from './faults.js';

/** `kubectl rollout restart`: stamps the pod template with `kubectl.kubernetes.io/restartedAt`. */
export function restartDeployment(store: ObjectStore, deployment: Deployment, now: number): void {
  if (deployment.spec.paused) throw new Error("can't restart paused deployment (run rollout resume first)");
  const next = structuredClone(deployment);
  const template = next.spec.template ?? {};
  template.metadata = { ...template.metadata, annotations: { ...template.metadata?.annotations, [restartedAtAnnotation]: formatKubeTime(now) } };
  next.spec.template = template;
  writeDeploymentSpec(store, deployment, next);
}

/** Throws unless `replicas` is a valid replica count (checked before the Deployment is looked up). */
export function assertReplicaCount(replicas: number): void {
  if (!Number.isInteger(replicas) || replicas < 0) throw new RangeError('[autoheal] [sandbox] replicas must be an integer ≥ 0');
}

/** `kubectl scale`. */
export function scaleDeployment(store: ObjectStore, deployment: Deployment, replicas: number): void {
  assertReplicaCount(replicas);
  writeDeploymentSpec(store, deployment, { ...deployment, spec: { ...deployment.spec, replicas } });
}

/** `kubectl set image` of the first container: a normal (good) release, so every faulty-template marker goes. */
export function setDeploymentImage(store: ObjectStore, deployment: Deployment, image: string): void {
  const next = structuredClone(deployment);
  const template = next.spec.template ?? {};
  const annotations = { ...template.metadata?.annotations };
  for (const annotation of faultyTemplateAnnotations) delete annotations[annotation];
  template.metadata = { ...template.metadata, annotations };
  const container = template.spec?.containers?.[0];
  if (container) container.image = image;
  writeDeploymentSpec(store, deployment, next);
}
