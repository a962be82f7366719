/**
 * What the API server does to an object between decoding and storage (the "REST strategy" of each
 * registry in kube-apiserver): defaults, validation, generation bumps, and the rules of the
 * `/status` subresource. The controller writes to the store directly and skips all of this.
 */
import { formatTime } from '../store/object-store.js';
import type { KubeObject } from '../base/kube-types.js';
import type { ResourceDefinition } from './resource-registry.js';
import { badRequest, invalid, type FieldError } from '../base/status-error.js';

type Record_ = Record<string, unknown>;

function asRecord(value: unknown): Record_ | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record_) : undefined;
}

function jsonEqual(left: unknown, right: unknown): boolean {
  return JSON.stringify(sortKeys(left)) === JSON.stringify(sortKeys(right));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  const record = asRecord(value);
  if (!record) return value;
  return Object.fromEntries(
    Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort()
      .map((key) => [key, sortKeys(record[key])]),
  );
}

// ---------------------------------------------------------------------------------------------
// MicroTime
// ---------------------------------------------------------------------------------------------

const rfc3339Pattern = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Normalises a `metav1.MicroTime` to the 6-digit UTC form the API server emits. Accepts 0–9
 * fractional digits (the real server insists on exactly 6; clients that send `toISOString()`'s 3
 * digits are accepted here too). Returns `undefined` for text that is not RFC 3339.
 */
export function normalizeMicroTime(text: string): string | undefined {
  const match = rfc3339Pattern.exec(text);
  if (!match) return undefined;
  const wholeSeconds = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(wholeSeconds)) return undefined;
  const micro = (match[2] ?? '').padEnd(6, '0').slice(0, 6);
  return `${formatTime(wholeSeconds).slice(0, -1)}.${micro}Z`;
}

function normalizeMicroTimeField(container: Record_ | undefined, field: string, kind: string): void {
  if (!container) return;
  const value = container[field];
  if (value === undefined || value === null) return;
  const normalized = typeof value === 'string' ? normalizeMicroTime(value) : undefined;
  if (!normalized) {
    throw badRequest(
      `${kind} in version "v1" cannot be handled as a ${kind}: parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05.000000Z07:00": cannot parse ${JSON.stringify(value)} as "2006"`,
    );
  }
  container[field] = normalized;
}

// ---------------------------------------------------------------------------------------------
// Defaults
// ---------------------------------------------------------------------------------------------

function applyDeploymentDefaults(spec: Record_): void {
  spec.replicas ??= 1;
  const strategy = (asRecord(spec.strategy) ?? {}) as Record_;
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const rollingUpdate = (asRecord(strategy.rollingUpdate) ?? {}) as Record_;
    rollingUpdate.maxUnavailable ??= '25%';
    rollingUpdate.maxSurge ??= '25%';
    strategy.rollingUpdate = rollingUpdate;
  }
  spec.strategy = strategy;
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
}

/** Next ClusterIP to hand out; shared by all servers in the process, like a (tiny) IP allocator. */
let nextClusterIp = 10;

/**
 * Applies apps/v1 and core/v1 defaults that clients rely on. Pod templates are deliberately not
 * defaulted: the controller matches ReplicaSets to Deployments by template equality.
 */
export function applyDefaults(definition: ResourceDefinition, object: KubeObject): void {
  const spec = asRecord(object.spec);
  switch (definition.key) {
    case 'apps/deployments':
      if (spec) applyDeploymentDefaults(spec);
      break;
    case 'apps/replicasets':
      if (spec) spec.replicas ??= 1;
      break;
    case 'autoscaling/horizontalpodautoscalers':
      if (spec) {
        spec.minReplicas ??= 1;
        // autoscaling/v2 defaulting: no metrics means 80% average CPU utilization.
        if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
          spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
        }
      }
      break;
    case '/namespaces': {
      object.metadata.labels = { ...object.metadata.labels, 'kubernetes.io/metadata.name': object.metadata.name };
      object.spec = { finalizers: ['kubernetes'], ...spec };
      break;
    }
    case '/services': {
      if (!spec) break;
      spec.type ??= 'ClusterIP';
      spec.sessionAffinity ??= 'None';
      if (spec.clusterIP === undefined && spec.type !== 'ExternalName') {
        spec.clusterIP = `10.96.${Math.floor(nextClusterIp / 250)}.${(nextClusterIp % 250) + 1}`;
        nextClusterIp += 1;
        spec.clusterIPs = [spec.clusterIP];
      }
      if (Array.isArray(spec.ports)) {
        for (const port of spec.ports) {
          const record = asRecord(port);
          if (!record) continue;
          record.protocol ??= 'TCP';
          record.targetPort ??= record.port;
        }
      }
      break;
    }
    case '/events':
      normalizeMicroTimeField(asRecord(object), 'eventTime', 'Event');
      break;
    case 'coordination.k8s.io/leases':
      normalizeMicroTimeField(spec, 'acquireTime', 'Lease');
      normalizeMicroTimeField(spec, 'renewTime', 'Lease');
      break;
  }
}

/** Create-only preparation: status starts empty (or as the server sets it), generation is 1. */
export function prepareForCreate(definition: ResourceDefinition, object: KubeObject): void {
  switch (definition.key) {
    case 'apps/deployments':
    case 'apps/replicasets':
    case 'autoscaling/horizontalpodautoscalers':
      object.status = {};
      break;
    case '/namespaces':
      object.status = { phase: 'Active' };
      break;
    case '/pods': {
      // A new pod is Pending until something (the simulation) runs it.
      const status = (asRecord(object.status) ?? {}) as Record_;
      status.phase ??= 'Pending';
      object.status = status;
      break;
    }
  }
  delete object.metadata.resourceVersion;
  delete object.metadata.generation;
  if ('spec' in object) object.metadata.generation = 1;
}

/**
 * Update preparation for the main resource: status is kept from the stored object (it changes only
 * through `/status`), and generation is bumped when the spec changes (for Deployments also when
 * annotations change, because they are copied to ReplicaSets).
 */
export function prepareForUpdate(definition: ResourceDefinition, updated: KubeObject, stored: KubeObject): void {
  if (definition.subresources.includes('status') && definition.key !== '/services') {
    if (stored.status === undefined) delete updated.status;
    else updated.status = structuredClone(stored.status);
  }
  const generation = stored.metadata.generation;
  if (generation !== undefined) {
    const specChanged = !jsonEqual(updated.spec, stored.spec);
    const annotationsChanged =
      definition.key === 'apps/deployments' && !jsonEqual(updated.metadata.annotations ?? {}, stored.metadata.annotations ?? {});
    updated.metadata.generation = specChanged || annotationsChanged ? generation + 1 : generation;
  }
}

/**
 * Builds what a `/status` write stores: the stored object with only `status` taken from the
 * request (spec, labels and generation never change through `/status`).
 */
export function prepareStatusUpdate(requested: KubeObject, stored: KubeObject): KubeObject {
  const result = structuredClone(stored);
  if (requested.status === undefined) delete result.status;
  else result.status = structuredClone(requested.status);
  result.metadata.resourceVersion = requested.metadata.resourceVersion;
  return result;
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

const subdomainPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const labelPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const labelKeyPattern = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const labelValuePattern = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Resources whose names must be DNS labels (no dots) rather than DNS subdomains. */
const dnsLabelNamed = new Set(['/namespaces', '/services']);

function goValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? 'null';
}

function validateMetadata(definition: ResourceDefinition, object: KubeObject, errors: FieldError[]): void {
  const { name, generateName, labels } = object.metadata;
  if (!name && !generateName) {
    errors.push({ field: 'metadata.name', reason: 'FieldValueRequired', message: 'Required value: name or generateName is required' });
  } else if (name) {
    if (dnsLabelNamed.has(definition.key)) {
      if (name.length > 63 || !labelPattern.test(name)) {
        errors.push({
          field: 'metadata.name',
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${goValue(name)}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
        });
      }
    } else if (name.length > 253 || !subdomainPattern.test(name)) {
      errors.push({
        field: 'metadata.name',
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${goValue(name)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      });
    }
  }
  for (const [key, value] of Object.entries(labels ?? {})) {
    if (!labelKeyPattern.test(key)) {
      errors.push({ field: 'metadata.labels', reason: 'FieldValueInvalid', message: `Invalid value: ${goValue(key)}: name part must consist of alphanumeric characters, '-', '_' or '.'` });
    }
    if (typeof value !== 'string' || value.length > 63 || !labelValuePattern.test(value)) {
      errors.push({ field: 'metadata.labels', reason: 'FieldValueInvalid', message: `Invalid value: ${goValue(value)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.'` });
    }
  }
}

function validateContainers(containers: unknown, field: string, errors: FieldError[]): void {
  if (!Array.isArray(containers) || containers.length === 0) {
    errors.push({ field, reason: 'FieldValueRequired', message: 'Required value' });
    return;
  }
  containers.forEach((container, index) => {
    const record = asRecord(container);
    if (!record?.name) errors.push({ field: `${field}[${index}].name`, reason: 'FieldValueRequired', message: 'Required value' });
    if (!record?.image) errors.push({ field: `${field}[${index}].image`, reason: 'FieldValueRequired', message: 'Required value' });
  });
}

function validateReplicas(value: unknown, field: string, errors: FieldError[]): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    errors.push({ field, reason: 'FieldValueInvalid', message: `Invalid value: ${goValue(value)}: must be greater than or equal to 0` });
  }
}

/** Checks spec.selector / template of a Deployment or ReplicaSet. */
function validateWorkloadSpec(kind: string, spec: Record_ | undefined, errors: FieldError[]): void {
  if (!spec) {
    errors.push({ field: 'spec.selector', reason: 'FieldValueRequired', message: 'Required value' });
    return;
  }
  validateReplicas(spec.replicas, 'spec.replicas', errors);
  const selector = asRecord(spec.selector);
  const matchLabels = (asRecord(selector?.matchLabels) ?? {}) as Record<string, string>;
  const matchExpressions = Array.isArray(selector?.matchExpressions) ? (selector.matchExpressions as unknown[]) : [];
  if (!selector) {
    errors.push({ field: 'spec.selector', reason: 'FieldValueRequired', message: 'Required value' });
  } else if (Object.keys(matchLabels).length === 0 && matchExpressions.length === 0) {
    errors.push({ field: 'spec.selector', reason: 'FieldValueInvalid', message: `Invalid value: "{}": empty selector is invalid for ${kind.toLowerCase()}` });
  }
  const template = asRecord(spec.template);
  const templateLabels = (asRecord(asRecord(template?.metadata)?.labels) ?? {}) as Record<string, string>;
  if (selector && Object.entries(matchLabels).some(([key, value]) => templateLabels[key] !== value)) {
    errors.push({
      field: 'spec.template.metadata.labels',
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${JSON.stringify(templateLabels)}: \`selector\` does not match template \`labels\``,
    });
  }
  validateContainers(asRecord(template?.spec)?.containers, 'spec.template.spec.containers', errors);
  const rollingUpdate = asRecord(asRecord(spec.strategy)?.rollingUpdate);
  if (rollingUpdate) {
    const isZero = (value: unknown) => value === 0 || value === '0%' || value === '0';
    if (isZero(rollingUpdate.maxSurge) && isZero(rollingUpdate.maxUnavailable)) {
      errors.push({
        field: 'spec.strategy.rollingUpdate.maxUnavailable',
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${goValue(rollingUpdate.maxUnavailable)}: may not be 0 when \`maxSurge\` is 0`,
      });
    }
  }
  for (const field of ['revisionHistoryLimit', 'minReadySeconds', 'progressDeadlineSeconds']) {
    const value = spec[field];
    if (value !== undefined && (typeof value !== 'number' || value < 0)) {
      errors.push({ field: `spec.${field}`, reason: 'FieldValueInvalid', message: `Invalid value: ${goValue(value)}: must be greater than or equal to 0` });
    }
  }
}

/**
 * Validates an object before it is stored; throws a 422 Invalid `StatusError` listing every
 * problem. `stored` is the current object on updates (for immutable fields).
 */
export function validateObject(definition: ResourceDefinition, object: KubeObject, stored?: KubeObject): void {
  const errors: FieldError[] = [];
  validateMetadata(definition, object, errors);
  const spec = asRecord(object.spec);
  switch (definition.key) {
    case 'apps/deployments':
    case 'apps/replicasets':
      validateWorkloadSpec(definition.kind, spec, errors);
      if (stored && !jsonEqual(spec?.selector, asRecord(stored.spec)?.selector)) {
        errors.push({ field: 'spec.selector', reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(spec?.selector ?? null)}: field is immutable` });
      }
      break;
    case '/pods':
      validateContainers(spec?.containers, 'spec.containers', errors);
      break;
    case '/events': {
      const involvedNamespace = asRecord(object.involvedObject)?.namespace;
      if (object.eventTime === undefined && involvedNamespace !== undefined && involvedNamespace !== object.metadata.namespace) {
        errors.push({ field: 'involvedObject.namespace', reason: 'FieldValueInvalid', message: `Invalid value: ${goValue(involvedNamespace)}: does not match event.namespace` });
      }
      break;
    }
    case 'coordination.k8s.io/leases': {
      const duration = spec?.leaseDurationSeconds;
      if (duration !== undefined && duration !== null && (typeof duration !== 'number' || duration <= 0)) {
        errors.push({ field: 'spec.leaseDurationSeconds', reason: 'FieldValueInvalid', message: `Invalid value: ${goValue(duration)}: must be greater than 0` });
      }
      break;
    }
    case 'autoscaling/horizontalpodautoscalers': {
      if (!asRecord(spec?.scaleTargetRef)?.name) {
        errors.push({ field: 'spec.scaleTargetRef.name', reason: 'FieldValueRequired', message: 'Required value' });
      }
      const maxReplicas = spec?.maxReplicas;
      const minReplicas = spec?.minReplicas;
      if (typeof maxReplicas !== 'number' || maxReplicas < 1) {
        errors.push({ field: 'spec.maxReplicas', reason: 'FieldValueInvalid', message: `Invalid value: ${goValue(maxReplicas)}: must be greater than or equal to 1` });
      } else if (typeof minReplicas === 'number' && minReplicas > maxReplicas) {
        errors.push({ field: 'spec.maxReplicas', reason: 'FieldValueInvalid', message: `Invalid value: ${maxReplicas}: must be greater than or equal to \`minReplicas\`` });
      }
      break;
    }
    case 'rbac.authorization.k8s.io/rolebindings':
    case 'rbac.authorization.k8s.io/clusterrolebindings': {
      const roleRef = asRecord(object.roleRef);
      if (!roleRef?.name) errors.push({ field: 'roleRef.name', reason: 'FieldValueRequired', message: 'Required value' });
      if (stored && !jsonEqual(object.roleRef, stored.roleRef)) {
        errors.push({ field: 'roleRef', reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(object.roleRef)}: cannot change roleRef` });
      }
      break;
    }
  }
  if (errors.length > 0) {
    throw invalid(definition.kind, definition.group, object.metadata.name || object.metadata.generateName || '', errors);
  }
}

// ---------------------------------------------------------------------------------------------
// Unknown fields (fieldValidation)
// ---------------------------------------------------------------------------------------------

const knownMetadataFields = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
]);

const knownTopLevelFields: Record<string, string[]> = {
  Event: [
    'involvedObject', 'reason', 'message', 'source', 'firstTimestamp', 'lastTimestamp', 'count', 'type', 'eventTime',
    'series', 'action', 'related', 'reportingComponent', 'reportingInstance',
  ],
  Endpoints: ['subsets'],
  ConfigMap: ['data', 'binaryData', 'immutable'],
  Role: ['rules'],
  ClusterRole: ['rules', 'aggregationRule'],
  RoleBinding: ['subjects', 'roleRef'],
  ClusterRoleBinding: ['subjects', 'roleRef'],
};

const knownDeploymentSpecFields = new Set([
  'replicas', 'selector', 'template', 'strategy', 'minReadySeconds', 'revisionHistoryLimit', 'paused', 'progressDeadlineSeconds',
]);

/**
 * Field paths in `object` that its kind does not have (checked at the top level, in metadata and in
 * a Deployment's spec). With `fieldValidation=Strict` they are a 400; by default a warning.
 */
export function findUnknownFields(definition: ResourceDefinition, object: Record_): string[] {
  const known = new Set(['apiVersion', 'kind', 'metadata', ...(knownTopLevelFields[definition.kind] ?? ['spec', 'status'])]);
  const unknown = Object.keys(object).filter((key) => !known.has(key));
  const metadata = asRecord(object.metadata);
  if (metadata) unknown.push(...Object.keys(metadata).filter((key) => !knownMetadataFields.has(key)).map((key) => `metadata.${key}`));
  const spec = asRecord(object.spec);
  if (definition.key === 'apps/deployments' && spec) {
    unknown.push(...Object.keys(spec).filter((key) => !knownDeploymentSpecFields.has(key)).map((key) => `spec.${key}`));
  }
  return unknown;
}
