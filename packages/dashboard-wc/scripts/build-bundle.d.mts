/** Builds the self-contained bundle (Lit inside), by default to dist/risk-dashboard.js, and returns its path; `metafile`: where to write esbuild's input list. */
export function buildBundle(options?: { minify?: boolean; outfile?: string; metafile?: string }): Promise<string>;
