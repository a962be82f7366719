/** Builds dist/risk-dashboard.js (self-contained, Lit inside) and returns its path. */
export function buildBundle(options?: { minify?: boolean }): Promise<string>;
