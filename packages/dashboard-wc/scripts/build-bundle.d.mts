/** Builds the self-contained bundle (Lit inside), by default to dist/risk-dashboard.js, and returns its path. */
export function buildBundle(options?: { minify?: boolean; outfile?: string }): Promise<string>;
