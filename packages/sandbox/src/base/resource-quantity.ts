/** Parses Kubernetes resource quantities for CPU (`500m`, `1`) and memory (`512Mi`, `1G`). */

const memoryUnits: Record<string, number> = {
  '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4,
};

/** CPU cores of a quantity, or `fallback` when absent or unreadable. */
export function parseCpuCores(quantity: string | undefined, fallback: number): number {
  if (!quantity) return fallback;
  const match = /^(\d+(?:\.\d+)?)(m?)$/.exec(quantity.trim());
  if (!match) return fallback;
  const value = Number(match[1]);
  return match[2] === 'm' ? value / 1000 : value;
}

/** Bytes of a memory quantity, or `fallback` when absent or unreadable. */
export function parseMemoryBytes(quantity: string | undefined, fallback: number): number {
  if (!quantity) return fallback;
  const match = /^(\d+(?:\.\d+)?)([kMGT]i?|)$/.exec(quantity.trim());
  if (!match) return fallback;
  return Number(match[1]) * (memoryUnits[match[2] ?? ''] ?? 1);
}
