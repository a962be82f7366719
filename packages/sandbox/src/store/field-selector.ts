/**
 * Parsing and matching of field selector strings (`metadata.name=x,involvedObject.uid!=y`). Like the
 * real API, only a fixed set of fields per resource is selectable; any other field is a 400.
 */
import { badRequest } from '../base/status-error.js';
import type { KubeObject, ResourceKey } from '../base/kube-types.js';

/** One `field=value` or `field!=value` requirement. */
export interface FieldRequirement {
  field: string;
  operator: 'equals' | 'notEquals';
  value: string;
}

const commonFields = ['metadata.name', 'metadata.namespace'];

/** Fields each resource supports beyond `metadata.name` and `metadata.namespace`. */
const selectableFields: Record<string, string[]> = {
  '/pods': [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  '/events': [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  '/namespaces': ['status.phase'],
  '/secrets': ['type'],
  'apps/replicasets': ['status.replicas'],
};

/** Parses a field selector for `resource`; unknown fields → 400 like the real API. */
export function parseFieldSelector(resource: ResourceKey, selector: string | undefined): FieldRequirement[] {
  if (selector === undefined || selector.trim() === '') return [];
  const allowed = [...commonFields, ...(selectableFields[resource] ?? [])];
  return selector.split(',').map((rawPart) => {
    const part = rawPart.trim();
    const match = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!match) throw badRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
    const field = match[1] ?? '';
    if (!allowed.includes(field)) {
      throw badRequest(`field label not supported: ${field}`);
    }
    return { field, operator: match[2] === '!=' ? 'notEquals' : 'equals', value: match[3] ?? '' };
  });
}

/** The string value of a selectable field (`source` on events means `source.component`). */
function fieldValue(object: KubeObject, field: string): string {
  const path = field === 'source' ? ['source', 'component'] : field.split('.');
  let current: unknown = object;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return '';
    current = (current as Record<string, unknown>)[key];
  }
  if (current === undefined || current === null) return '';
  return String(current);
}

/** True when `object` satisfies every requirement. */
export function matchesFieldSelector(requirements: FieldRequirement[], object: KubeObject): boolean {
  return requirements.every((requirement) => {
    const actual = fieldValue(object, requirement.field);
    return requirement.operator === 'equals' ? actual === requirement.value : actual !== requirement.value;
  });
}
