/** The wire format of Kubernetes times. */

/** RFC 3339 with whole seconds, the wire format of `metav1.Time`. */
export function formatKubeTime(epochMilliseconds: number): string {
  return new Date(epochMilliseconds).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
