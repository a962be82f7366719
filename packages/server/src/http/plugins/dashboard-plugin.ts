/**
 * `GET /` (a page with the `<risk-dashboard>`) and `GET /risk-dashboard.js` (its self-contained
 * bundle, open: it is code, not data). With closed reads, `GET /` answers a sign-in page (401) until
 * the browser has a session: the page is navigated to, so it cannot send a bearer token.
 * `POST /auth/session` takes a read token from that page's form and sets the session cookie (see
 * `read-credentials.ts`); `POST /auth/sign-out` clears it. The component on the page then reads with
 * the cookie, the event stream included.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type Hapi from '@hapi/hapi';
import { routeAccess, type AccessControl } from '../auth.js';
import { SESSION_COOKIE } from '../read-credentials.js';

/** Options of {@link dashboardPlugin}. */
export interface DashboardPluginOptions {
  /** Folder holding the built `risk-dashboard.js`. */
  dashboardDir: string;
  /** Renders the dashboard read-only (no "Check now"). */
  readOnly: boolean;
  /** Decides whether the page or the sign-in page is served. */
  access: AccessControl;
}

const HTML = 'text/html; charset=utf-8';

/** The dashboard routes. */
export const dashboardPlugin: Hapi.Plugin<DashboardPluginOptions> = {
  name: 'autoheal-dashboard',
  register(server, options) {
    const { access } = options;
    const bundle = path.join(options.dashboardDir, 'risk-dashboard.js');
    const page = dashboardPage(options.readOnly, access.readsClosed);
    server.route([
      {
        method: 'GET',
        path: '/risk-dashboard.js',
        options: { app: routeAccess('open') },
        // Read on every request (no cache) so a rebuilt bundle is served without a restart.
        handler: async (_request, h) => h.response(await readFile(bundle)).type('text/javascript; charset=utf-8').header('Cache-Control', 'no-cache'),
      },
      {
        method: 'GET',
        path: '/',
        options: { app: routeAccess('open') },
        handler: (request, h) =>
          access.canRead(request) ? h.response(page).type(HTML).header('Cache-Control', 'no-store') : h.response(signInPage()).type(HTML).code(401).header('Cache-Control', 'no-store'),
      },
    ]);
    if (!access.readsClosed) return;

    // A cookie another application on this host set must not break the page: unreadable cookies are ignored.
    server.state(SESSION_COOKIE, { isHttpOnly: true, isSameSite: 'Lax', path: '/', encoding: 'none', strictHeader: true, ignoreErrors: true, clearInvalid: true });
    server.route([
      {
        method: 'POST',
        path: '/auth/session',
        options: { app: routeAccess('open'), payload: { parse: true, allow: ['application/x-www-form-urlencoded', 'application/json'], failAction: 'ignore' } },
        handler: (request, h) => {
          const token = String((request.payload as { token?: unknown } | null)?.token ?? '').trim();
          if (!access.credentials!.tokenGrantsRead(token)) {
            return h.response(signInPage(token === '' ? 'Enter a token.' : 'That token is not valid here.')).type(HTML).code(401).header('Cache-Control', 'no-store');
          }
          const session = access.credentials!.issueSession();
          // Secure whenever the browser reached us over HTTPS (directly or through a TLS-terminating proxy).
          const secure = request.url.protocol === 'https:' || request.headers['x-forwarded-proto'] === 'https';
          return h.redirect('/').code(303).state(SESSION_COOKIE, session.value, { ttl: session.maxAgeSeconds * 1000, isSecure: secure });
        },
      },
      {
        method: 'POST',
        path: '/auth/sign-out',
        options: { app: routeAccess('open'), payload: { parse: true, allow: ['application/x-www-form-urlencoded', 'application/json', 'text/plain'], failAction: 'ignore' } },
        handler: (_request, h) => h.redirect('/').code(303).unstate(SESSION_COOKIE),
      },
    ]);
  },
};

function dashboardPage(readOnly: boolean, signedIn: boolean): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>autoheal</title>
<script type="module" src="/risk-dashboard.js"></script>
<style>body { margin: 0; font-family: system-ui, sans-serif; } .sign-out { position: fixed; right: 0.5rem; bottom: 0.5rem; }</style>
</head>
<body>
<risk-dashboard api-base=""${readOnly ? ' read-only' : ''} theme="auto"></risk-dashboard>${
    signedIn ? '\n<form class="sign-out" method="post" action="/auth/sign-out"><button type="submit">Sign out</button></form>' : ''
  }
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

function signInPage(problem?: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>autoheal: sign in</title>
<style>
  body { font-family: system-ui, sans-serif; display: grid; place-items: center; min-height: 100vh; margin: 0; }
  form { display: grid; gap: 0.75rem; width: min(24rem, 90vw); }
  .problem { color: #b3261e; }
</style>
</head>
<body>
<form method="post" action="/auth/session">
  <h1>autoheal</h1>
  <p>This server shows its dashboard to token holders only. Enter the viewer token (or the API token).</p>
  ${problem ? `<p class="problem" role="alert">${problem}</p>` : ''}
  <label>Token <input name="token" type="password" autocomplete="current-password" required autofocus></label>
  <button type="submit">Sign in</button>
</form>
</body>
</html>
`;
}
