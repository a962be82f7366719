/** `GET /` (a page with the `<risk-dashboard>`) and `GET /risk-dashboard.js` (its self-contained bundle). */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type Hapi from '@hapi/hapi';

/** Options of {@link dashboardPlugin}. */
export interface DashboardPluginOptions {
  /** Folder holding the built `risk-dashboard.js`. */
  dashboardDir: string;
  /** Renders the dashboard read-only (no "Check now"). */
  readOnly: boolean;
}

/** The dashboard routes. */
export const dashboardPlugin: Hapi.Plugin<DashboardPluginOptions> = {
  name: 'autoheal-dashboard',
  register(server, options) {
    const bundle = path.join(options.dashboardDir, 'risk-dashboard.js');
    const page = dashboardPage(options.readOnly);
    server.route([
      {
        method: 'GET',
        path: '/risk-dashboard.js',
        // Read on every request (no cache) so a rebuilt bundle is served without a restart.
        handler: async (_request, h) => h.response(await readFile(bundle)).type('text/javascript; charset=utf-8').header('Cache-Control', 'no-cache'),
      },
      { method: 'GET', path: '/', handler: (_request, h) => h.response(page).type('text/html; charset=utf-8') },
    ]);
  },
};

function dashboardPage(readOnly: boolean): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>autoheal</title>
<script type="module" src="/risk-dashboard.js"></script>
<style>body { margin: 0; font-family: system-ui, sans-serif; }</style>
</head>
<body>
<risk-dashboard api-base=""${readOnly ? ' read-only' : ''} theme="auto"></risk-dashboard>
<script>
  // The token for "Check now" is kept in this browser only (sessionStorage), never in the page.
  const dashboard = document.querySelector('risk-dashboard');
  const token = new URLSearchParams(location.hash.slice(1)).get('token') || sessionStorage.getItem('autoheal-token');
  if (token) { sessionStorage.setItem('autoheal-token', token); dashboard.setAttribute('token', token); history.replaceState(null, '', location.pathname); }
</script>
</body>
</html>
`;
}
