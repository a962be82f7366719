/**
 * `metav1.Status` errors, shaped and worded like the real API server's (apimachinery
 * `pkg/api/errors`), so clients that inspect `reason`, `code` and `details` behave as against a
 * real cluster.
 */

/** One cause inside `details.causes` of a Status. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** The `details` block of a Status. NotFound/Conflict put the resource (plural) in `kind`. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** A failed `metav1.Status` as the API server writes it in error responses. */
export interface FailureStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  details?: StatusDetails;
  code: number;
}

const statusErrorMarker = Symbol.for('@autoheal/sandbox/StatusError');

/**
 * An error that the API server turns into an HTTP response carrying `status` as its body and
 * `status.code` as its HTTP status code. Thrown by the store and the API layer alike.
 */
export class StatusError extends Error {
  readonly [statusErrorMarker] = true;
  readonly status: FailureStatus;

  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'StatusError';
    this.status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      ...(details ? { details } : {}),
      code,
    };
  }

  /** True for a `StatusError`, also across duplicated copies of this module. */
  static isInstance(value: unknown): value is StatusError {
    return typeof value === 'object' && value !== null && statusErrorMarker in value;
  }
}

/** `deployments.apps` for a group, plain `pods` for the core group, as messages spell it. */
export function qualifiedResource(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}

function resourceDetails(resource: string, group: string, name?: string): StatusDetails {
  return { ...(name !== undefined ? { name } : {}), ...(group ? { group } : {}), kind: resource };
}

/** 404 NotFound: `deployments.apps "web" not found`. */
export function notFound(resource: string, group: string, name: string): StatusError {
  return new StatusError(
    404,
    'NotFound',
    `${qualifiedResource(resource, group)} "${name}" not found`,
    resourceDetails(resource, group, name),
  );
}

/** 409 Conflict for a stale resourceVersion (the optimistic-lock message). */
export function conflict(resource: string, group: string, name: string): StatusError {
  return new StatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(resource, group)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    resourceDetails(resource, group, name),
  );
}

/** 409 AlreadyExists: `deployments.apps "web" already exists`. */
export function alreadyExists(resource: string, group: string, name: string): StatusError {
  return new StatusError(
    409,
    'AlreadyExists',
    `${qualifiedResource(resource, group)} "${name}" already exists`,
    resourceDetails(resource, group, name),
  );
}

/** One field error for `invalid`: `field` is a path like `spec.replicas`. */
export interface FieldError {
  field: string;
  /** `FieldValueInvalid`, `FieldValueRequired`, `FieldValueNotSupported`, `FieldValueForbidden`... */
  reason: string;
  /** The part after the field, e.g. `Invalid value: -1: must be greater than or equal to 0`. */
  message: string;
}

/**
 * 422 Invalid: `Deployment.apps "web" is invalid: spec.replicas: Invalid value: ...`. Here
 * `details.kind` is the Kind, not the resource, as in the real API.
 */
export function invalid(kind: string, group: string, name: string, causes: FieldError[]): StatusError {
  const rendered = causes.map((cause) => `${cause.field}: ${cause.message}`);
  const summary = rendered.length === 1 ? rendered[0] : `[${rendered.join(', ')}]`;
  return new StatusError(
    422,
    'Invalid',
    `${qualifiedResource(kind, group)} "${name}" is invalid: ${summary}`,
    {
      name,
      ...(group ? { group } : {}),
      kind,
      causes: causes.map((cause) => ({ reason: cause.reason, message: cause.message, field: cause.field })),
    },
  );
}

/** 400 BadRequest with a free-form message. */
export function badRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}

/** The patch content types the server accepts, listed in the 415 message. */
export const acceptedPatchTypes = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

/** 415 UnsupportedMediaType for a body whose Content-Type the server does not take. */
export function unsupportedMediaType(type: string, accepted: string[] = acceptedPatchTypes): StatusError {
  return new StatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    { causes: [{ reason: 'UnsupportedMediaType', message: `unsupported media type "${type}"` }] },
  );
}

/** 410 Expired (watch from a resourceVersion older than the kept history). */
export function gone(message: string): StatusError {
  return new StatusError(410, 'Expired', message);
}

/**
 * 403 Forbidden, worded like the API server's authorizer denial:
 * `pods "x" is forbidden: User "u" cannot create resource "pods/exec" in API group "" in the namespace "prod"`.
 */
export function forbidden(options: {
  user: string;
  verb: string;
  resource: string;
  subresource?: string;
  group: string;
  namespace?: string;
  name?: string;
}): StatusError {
  const { user, verb, resource, subresource, group, namespace, name } = options;
  const resourceWithSubresource = subresource ? `${resource}/${subresource}` : resource;
  const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
  const reason = `User "${user}" cannot ${verb} resource "${resourceWithSubresource}" in API group "${group}" ${scope}`;
  const subject = name ? `${qualifiedResource(resource, group)} "${name}"` : qualifiedResource(resource, group);
  return new StatusError(403, 'Forbidden', `${subject} is forbidden: ${reason}`, resourceDetails(resource, group, name));
}

/** 405 MethodNotAllowed: `<verb> is not supported on resources of kind "<resource>"`. */
export function methodNotAllowed(resource: string, group: string, action: string): StatusError {
  return new StatusError(
    405,
    'MethodNotAllowed',
    `${action} is not supported on resources of kind "${qualifiedResource(resource, group)}"`,
    resourceDetails(resource, group),
  );
}

/** 503 ServiceUnavailable, e.g. a service proxy with no endpoint to send to. */
export function serviceUnavailable(message: string): StatusError {
  return new StatusError(503, 'ServiceUnavailable', message);
}

/** 500 InternalError wrapping an unexpected failure. */
export function internalError(message: string): StatusError {
  return new StatusError(500, 'InternalError', `Internal error occurred: ${message}`, {
    causes: [{ message }],
  });
}
