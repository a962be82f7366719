// What scripts/screenshot.mjs needs from the test helpers, in one entry for esbuild.
export { launchBrowser } from '../src/test/browser.js';
export { startFixtureServer } from '../src/test/fixture-server.js';
export { startStaticServer, dashboardPage } from '../src/test/static-server.js';
