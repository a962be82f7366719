// Configuration of `cem analyze`: reads the JSDoc of the component (attributes, properties, events,
// CSS parts and custom properties) and writes custom-elements.json next to package.json.
export default {
  globs: ['src/index.ts', 'src/risk-dashboard.ts', 'src/risk-dashboard.component.ts'],
  exclude: ['src/**/*.test.ts', 'src/test/**'],
  outdir: '.',
  litelement: true,
};
