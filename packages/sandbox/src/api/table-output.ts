/**
 * Server-side printing: the `meta.k8s.io/v1` Table that `kubectl get` asks for (`Accept: ...;as=Table`),
 * with the columns kubectl users expect for the kinds the sandbox serves.
 */
import type { KubeObject } from '../base/kube-types.js';

interface Column {
  name: string;
  type: 'string' | 'integer';
  format?: string;
  description: string;
  cell(object: KubeObject, now: number): string | number;
}

type Loose = Record<string, any>;

/** Renders an age the way kubectl does (`45s`, `12m`, `3h`, `5d`). */
export function humanAge(fromIso: string | undefined, now: number): string {
  if (!fromIso) return '<unknown>';
  const seconds = Math.max(0, Math.floor((now - Date.parse(fromIso)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

const nameColumn: Column = { name: 'Name', type: 'string', format: 'name', description: 'Name of the object', cell: (object) => object.metadata.name };
const ageColumn: Column = { name: 'Age', type: 'string', description: 'Time since creation', cell: (object, now) => humanAge(object.metadata.creationTimestamp, now) };

function specOf(object: KubeObject): Loose {
  return (object.spec ?? {}) as Loose;
}
function statusOf(object: KubeObject): Loose {
  return (object.status ?? {}) as Loose;
}

function podStatusText(pod: KubeObject): string {
  if (pod.metadata.deletionTimestamp) return 'Terminating';
  const status = statusOf(pod);
  for (const container of (status.containerStatuses ?? []) as Loose[]) {
    const reason = container.state?.waiting?.reason ?? container.state?.terminated?.reason;
    if (reason) return reason;
  }
  return status.reason ?? status.phase ?? 'Unknown';
}

const columnsByKind: Record<string, Column[]> = {
  Deployment: [
    nameColumn,
    { name: 'Ready', type: 'string', description: 'Ready replicas / desired', cell: (o) => `${statusOf(o).readyReplicas ?? 0}/${specOf(o).replicas ?? 0}` },
    { name: 'Up-to-date', type: 'integer', description: 'Updated replicas', cell: (o) => statusOf(o).updatedReplicas ?? 0 },
    { name: 'Available', type: 'integer', description: 'Available replicas', cell: (o) => statusOf(o).availableReplicas ?? 0 },
    ageColumn,
  ],
  ReplicaSet: [
    nameColumn,
    { name: 'Desired', type: 'integer', description: 'Desired replicas', cell: (o) => specOf(o).replicas ?? 0 },
    { name: 'Current', type: 'integer', description: 'Current replicas', cell: (o) => statusOf(o).replicas ?? 0 },
    { name: 'Ready', type: 'integer', description: 'Ready replicas', cell: (o) => statusOf(o).readyReplicas ?? 0 },
    ageColumn,
  ],
  Pod: [
    nameColumn,
    {
      name: 'Ready',
      type: 'string',
      description: 'Ready containers / total',
      cell: (o) => {
        const statuses = (statusOf(o).containerStatuses ?? []) as Loose[];
        const total = ((specOf(o).containers ?? []) as unknown[]).length;
        return `${statuses.filter((container) => container.ready).length}/${total}`;
      },
    },
    { name: 'Status', type: 'string', description: 'Pod status', cell: podStatusText },
    {
      name: 'Restarts',
      type: 'string',
      description: 'Container restarts',
      cell: (o) => String(((statusOf(o).containerStatuses ?? []) as Loose[]).reduce((sum, container) => sum + (container.restartCount ?? 0), 0)),
    },
    ageColumn,
  ],
  Namespace: [nameColumn, { name: 'Status', type: 'string', description: 'Phase', cell: (o) => statusOf(o).phase ?? 'Active' }, ageColumn],
  Service: [
    nameColumn,
    { name: 'Type', type: 'string', description: 'Service type', cell: (o) => specOf(o).type ?? 'ClusterIP' },
    { name: 'Cluster-IP', type: 'string', description: 'Cluster IP', cell: (o) => specOf(o).clusterIP ?? '<none>' },
    { name: 'External-IP', type: 'string', description: 'External IPs', cell: () => '<none>' },
    {
      name: 'Port(s)',
      type: 'string',
      description: 'Ports',
      cell: (o) => ((specOf(o).ports ?? []) as Loose[]).map((port) => `${port.port}/${port.protocol ?? 'TCP'}`).join(',') || '<none>',
    },
    ageColumn,
  ],
  Event: [
    { name: 'Last Seen', type: 'string', description: 'Last occurrence', cell: (o, now) => humanAge((o as Loose).lastTimestamp ?? (o as Loose).eventTime ?? o.metadata.creationTimestamp, now) },
    { name: 'Type', type: 'string', description: 'Normal or Warning', cell: (o) => (o as Loose).type ?? '' },
    { name: 'Reason', type: 'string', description: 'Reason', cell: (o) => (o as Loose).reason ?? '' },
    { name: 'Object', type: 'string', description: 'Involved object', cell: (o) => `${String((o as Loose).involvedObject?.kind ?? '').toLowerCase()}/${(o as Loose).involvedObject?.name ?? ''}` },
    { name: 'Message', type: 'string', description: 'Message', cell: (o) => (o as Loose).message ?? '' },
  ],
  HorizontalPodAutoscaler: [
    nameColumn,
    { name: 'Reference', type: 'string', description: 'Scale target', cell: (o) => `${specOf(o).scaleTargetRef?.kind ?? ''}/${specOf(o).scaleTargetRef?.name ?? ''}` },
    { name: 'MinPods', type: 'integer', description: 'Minimum replicas', cell: (o) => specOf(o).minReplicas ?? 1 },
    { name: 'MaxPods', type: 'integer', description: 'Maximum replicas', cell: (o) => specOf(o).maxReplicas ?? 0 },
    { name: 'Replicas', type: 'integer', description: 'Current replicas', cell: (o) => statusOf(o).currentReplicas ?? 0 },
    ageColumn,
  ],
  Lease: [nameColumn, { name: 'Holder', type: 'string', description: 'Holder identity', cell: (o) => specOf(o).holderIdentity ?? '' }, ageColumn],
};

/** True when the Accept header asks for a Table (what `kubectl get` sends). */
export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((part) => part.includes('as=Table'));
}

/**
 * Builds a `meta.k8s.io/v1` Table for `objects`. With `includeObject=Object` each row carries the
 * whole object, otherwise (the default, `Metadata`) a PartialObjectMetadata.
 */
export function toTable(
  kind: string,
  objects: KubeObject[],
  options: { now: number; resourceVersion?: string; includeObject?: string | null },
): Record<string, unknown> {
  const columns = columnsByKind[kind] ?? [nameColumn, ageColumn];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: options.resourceVersion ? { resourceVersion: options.resourceVersion } : {},
    columnDefinitions: columns.map((column) => ({
      name: column.name,
      type: column.type,
      format: column.format ?? '',
      description: column.description,
      priority: 0,
    })),
    rows: objects.map((object) => ({
      cells: columns.map((column) => column.cell(object, options.now)),
      object:
        options.includeObject === 'Object'
          ? object
          : options.includeObject === 'None'
            ? null
            : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata },
    })),
  };
}
