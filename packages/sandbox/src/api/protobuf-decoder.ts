/**
 * A small, schema-driven decoder for the Kubernetes protobuf encoding
 * (`application/vnd.kubernetes.protobuf`), for the objects kubectl's typed clients send: `kubectl
 * create namespace|deployment|configmap|service|role|rolebinding`, `kubectl autoscale` (an
 * autoscaling/v1 HPA) and `kubectl auth can-i`. The wire
 * format is the `k8s\0` magic, then a `runtime.Unknown` message (`typeMeta` 1, `raw` 2) whose `raw`
 * holds the object. Only the fields listed in `messageSchemas` are decoded; others are dropped,
 * as a server would drop fields it does not know.
 */
import { badRequest, unsupportedMediaType } from '../base/status-error.js';

type ScalarType = 'string' | 'int' | 'bool';
interface FieldSchema {
  name: string;
  /** A scalar, a nested message name, `map` (map<string,string>) or `intOrString`. */
  type: ScalarType | 'map' | 'intOrString' | `message:${string}`;
  repeated?: boolean;
}
type MessageSchema = Record<number, FieldSchema>;

const s = (name: string, repeated = false): FieldSchema => ({ name, type: 'string', repeated });
const i = (name: string): FieldSchema => ({ name, type: 'int' });
const b = (name: string): FieldSchema => ({ name, type: 'bool' });
const m = (name: string, message: string, repeated = false): FieldSchema => ({ name, type: `message:${message}`, repeated });
const map = (name: string): FieldSchema => ({ name, type: 'map' });

/** Field numbers from the `generated.proto` files of k8s.io/api and apimachinery. */
const messageSchemas: Record<string, MessageSchema> = {
  TypeMeta: { 1: s('apiVersion'), 2: s('kind') },
  ObjectMeta: { 1: s('name'), 2: s('generateName'), 3: s('namespace'), 11: map('labels'), 12: map('annotations'), 14: s('finalizers', true) },
  LabelSelector: { 1: map('matchLabels'), 2: m('matchExpressions', 'LabelSelectorRequirement', true) },
  LabelSelectorRequirement: { 1: s('key'), 2: s('operator'), 3: s('values', true) },
  Namespace: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'NamespaceSpec') },
  NamespaceSpec: { 1: s('finalizers', true) },
  ConfigMap: { 1: m('metadata', 'ObjectMeta'), 2: map('data'), 4: b('immutable') },
  Deployment: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'DeploymentSpec') },
  DeploymentSpec: {
    1: i('replicas'),
    2: m('selector', 'LabelSelector'),
    3: m('template', 'PodTemplateSpec'),
    4: m('strategy', 'DeploymentStrategy'),
    5: i('minReadySeconds'),
    6: i('revisionHistoryLimit'),
    7: b('paused'),
    9: i('progressDeadlineSeconds'),
  },
  DeploymentStrategy: { 1: s('type'), 2: m('rollingUpdate', 'RollingUpdateDeployment') },
  RollingUpdateDeployment: { 1: { name: 'maxUnavailable', type: 'intOrString' }, 2: { name: 'maxSurge', type: 'intOrString' } },
  PodTemplateSpec: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'PodSpec') },
  PodSpec: { 2: m('containers', 'Container', true), 3: s('restartPolicy'), 8: s('serviceAccountName'), 20: m('initContainers', 'Container', true) },
  Container: {
    1: s('name'),
    2: s('image'),
    3: s('command', true),
    4: s('args', true),
    5: s('workingDir'),
    6: m('ports', 'ContainerPort', true),
    7: m('env', 'EnvVar', true),
    14: s('imagePullPolicy'),
  },
  ContainerPort: { 1: s('name'), 2: i('hostPort'), 3: i('containerPort'), 4: s('protocol') },
  EnvVar: { 1: s('name'), 2: s('value') },
  Service: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'ServiceSpec') },
  ServiceSpec: { 1: m('ports', 'ServicePort', true), 2: map('selector'), 3: s('clusterIP'), 4: s('type'), 7: s('sessionAffinity') },
  ServicePort: { 1: s('name'), 2: s('protocol'), 3: i('port'), 4: { name: 'targetPort', type: 'intOrString' }, 5: i('nodePort') },
  Role: { 1: m('metadata', 'ObjectMeta'), 2: m('rules', 'PolicyRule', true) },
  ClusterRole: { 1: m('metadata', 'ObjectMeta'), 2: m('rules', 'PolicyRule', true) },
  PolicyRule: { 1: s('verbs', true), 2: s('apiGroups', true), 3: s('resources', true), 4: s('resourceNames', true), 5: s('nonResourceURLs', true) },
  RoleBinding: { 1: m('metadata', 'ObjectMeta'), 2: m('subjects', 'Subject', true), 3: m('roleRef', 'RoleRef') },
  ClusterRoleBinding: { 1: m('metadata', 'ObjectMeta'), 2: m('subjects', 'Subject', true), 3: m('roleRef', 'RoleRef') },
  Subject: { 1: s('kind'), 2: s('apiGroup'), 3: s('name'), 4: s('namespace') },
  RoleRef: { 1: s('apiGroup'), 2: s('kind'), 3: s('name') },
  HorizontalPodAutoscaler: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'HorizontalPodAutoscalerSpecV1') },
  HorizontalPodAutoscalerSpecV1: { 1: m('scaleTargetRef', 'CrossVersionObjectReference'), 2: i('minReplicas'), 3: i('maxReplicas'), 4: i('targetCPUUtilizationPercentage') },
  CrossVersionObjectReference: { 1: s('kind'), 2: s('name'), 3: s('apiVersion') },
  SelfSubjectAccessReview: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'SelfSubjectAccessReviewSpec') },
  SelfSubjectAccessReviewSpec: { 1: m('resourceAttributes', 'ResourceAttributes'), 2: m('nonResourceAttributes', 'NonResourceAttributes') },
  ResourceAttributes: { 1: s('namespace'), 2: s('verb'), 3: s('group'), 4: s('version'), 5: s('resource'), 6: s('subresource'), 7: s('name') },
  NonResourceAttributes: { 1: s('path'), 2: s('verb') },
};

interface WireField {
  number: number;
  /** For varint fields. */
  value?: number;
  /** For length-delimited fields. */
  bytes?: Buffer;
}

function readVarint(buffer: Buffer, offset: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  let position = offset;
  for (;;) {
    if (position >= buffer.length) throw badRequest('truncated protobuf body');
    const byte = buffer[position]!;
    position += 1;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
    if (shift > 63) throw badRequest('malformed protobuf varint');
  }
  // Negative int32/int64 values are sent as 64-bit two's complement.
  if (value >= 2 ** 63) value -= 2 ** 64;
  return { value, next: position };
}

function readWireFields(buffer: Buffer): WireField[] {
  const fields: WireField[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    const key = readVarint(buffer, offset);
    offset = key.next;
    const number = Math.floor(key.value / 8);
    const wireType = key.value % 8;
    if (wireType === 0) {
      const varint = readVarint(buffer, offset);
      offset = varint.next;
      fields.push({ number, value: varint.value });
    } else if (wireType === 2) {
      const length = readVarint(buffer, offset);
      offset = length.next;
      if (length.value < 0 || offset + length.value > buffer.length) throw badRequest('truncated protobuf body');
      fields.push({ number, bytes: buffer.subarray(offset, offset + length.value) });
      offset += length.value;
    } else if (wireType === 1) {
      offset += 8;
    } else if (wireType === 5) {
      offset += 4;
    } else {
      throw badRequest(`unsupported protobuf wire type ${wireType}`);
    }
  }
  return fields;
}

function decodeField(schema: FieldSchema, field: WireField): unknown {
  switch (schema.type) {
    case 'string':
      return field.bytes?.toString('utf8') ?? '';
    case 'int':
      return field.value ?? 0;
    case 'bool':
      return (field.value ?? 0) !== 0;
    case 'intOrString': {
      const parts = decodeMessage({ 1: i('type'), 2: i('intVal'), 3: s('strVal') }, field.bytes ?? Buffer.alloc(0));
      return parts.type === 1 ? (parts.strVal ?? '') : (parts.intVal ?? 0);
    }
    case 'map': {
      const entry = decodeMessage({ 1: s('key'), 2: s('value') }, field.bytes ?? Buffer.alloc(0));
      return [String(entry.key ?? ''), String(entry.value ?? '')];
    }
    default: {
      const nested = messageSchemas[schema.type.slice('message:'.length)];
      return nested ? decodeMessage(nested, field.bytes ?? Buffer.alloc(0)) : undefined;
    }
  }
}

/**
 * Go's protobuf code writes every non-pointer scalar, even when empty; its JSON form omits them
 * (`omitempty`). Zero is kept only for these pointer fields, where 0 means something.
 */
const pointerIntegerFields = new Set(['replicas', 'revisionHistoryLimit', 'progressDeadlineSeconds', 'minReplicas', 'targetCPUUtilizationPercentage']);

function isOmittedZero(fieldSchema: FieldSchema, value: unknown): boolean {
  if (fieldSchema.repeated) return false;
  if (fieldSchema.type === 'string') return value === '';
  if (fieldSchema.type === 'bool') return value === false;
  if (fieldSchema.type === 'int') return value === 0 && !pointerIntegerFields.has(fieldSchema.name);
  return false;
}

function decodeMessage(schema: MessageSchema, buffer: Buffer): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const field of readWireFields(buffer)) {
    const fieldSchema = schema[field.number];
    if (!fieldSchema) continue;
    const value = decodeField(fieldSchema, field);
    if (isOmittedZero(fieldSchema, value)) continue;
    if (fieldSchema.type === 'map') {
      const [key, entryValue] = value as [string, string];
      result[fieldSchema.name] = { ...(result[fieldSchema.name] as Record<string, string> | undefined), [key]: entryValue };
    } else if (fieldSchema.repeated) {
      result[fieldSchema.name] = [...((result[fieldSchema.name] as unknown[] | undefined) ?? []), value];
    } else {
      result[fieldSchema.name] = value;
    }
  }
  return result;
}

/**
 * Decodes a protobuf request body into the JSON object it stands for. Throws 415 for kinds this
 * decoder has no schema for, and 400 for malformed bytes.
 */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
  if (body.length < 4 || !body.subarray(0, 4).equals(magic)) throw badRequest('protobuf body without the k8s magic prefix');
  const unknown = decodeMessage({ 1: m('typeMeta', 'TypeMeta'), 2: { name: 'raw', type: 'string' } }, body.subarray(4));
  const envelope = readWireFields(body.subarray(4));
  const typeMeta = (unknown.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const raw = envelope.find((field) => field.number === 2)?.bytes;
  const schema = typeMeta.kind ? messageSchemas[typeMeta.kind] : undefined;
  if (!schema || !raw) {
    throw unsupportedMediaType('application/vnd.kubernetes.protobuf', ['application/json', 'application/yaml']);
  }
  return { apiVersion: typeMeta.apiVersion, kind: typeMeta.kind, ...decodeMessage(schema, raw) };
}
