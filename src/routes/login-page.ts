/**
 * @module routes/login-page
 * DRF's browsable-API login under `ROUTE_PREFIX_LOGIN` (default `/api-auth`):
 * `login/` (GET the form, POST it), `logout/` (GET a confirmation form, POST
 * to log out) and the one stylesheet. The login form is CSRF-protected like
 * every other unsafe request (a cookie and the form field must match, and the
 * request must be same-origin); `next` may only name a path on this site.
 * A client error (a body that does not parse, too large, of another type) is
 * a page too, never JSON: these are a browser's pages.
 */
import type { Context, Handler, Hono } from 'hono';
import { loadUser } from '../auth/authenticate';
import { enforceCsrf } from '../auth/csrf';
import { expireSessionCookie } from '../auth/session';
import type { AppEnv } from '../env';
import { AuthError } from '../errors';
import { readData } from '../http/body';
import { ensureCsrfCookie } from '../http/cookies';
import { endpoint } from '../http/endpoint';
import { errorAnswer } from '../http/errors';
import { safeNext } from '../http/redirects';
import {
  NEVER_CACHE,
  PAGE_CSP,
  STYLESHEET,
  csrfFailurePage,
  errorPage,
  loginPage,
  logoutPage,
} from '../html/pages';
import { checkCredentials } from '../services/users';
import { maxLengthMessage } from '../validation/fields';
import { userDeps } from './deps';
import { beginSession, finishSession } from './session-login';

const BAD_LOGIN =
  'Please enter a correct username and password. Note that both fields may be case-sensitive.';

function html(
  c: Context<AppEnv>,
  body: string,
  status = 200,
  headers: Record<string, string> = {},
): Response {
  return c.html(body, status as 200, {
    ...headers,
    'Cache-Control': NEVER_CACHE,
    'Content-Security-Policy': PAGE_CSP,
    Vary: 'Cookie',
  });
}

/**
 * These are pages for a browser: whatever goes wrong (a body that does not
 * parse, a method the page lacks, storage down) is answered as an HTML page
 * with the status and headers (`Allow`, `Retry-After`) the JSON routes give.
 */
function htmlErrors(handler: Handler<AppEnv>): Handler<AppEnv> {
  return async function htmlErrors(c, next) {
    try {
      return await handler(c, next);
    } catch (err) {
      const answer = errorAnswer(err, c);
      return html(
        c,
        errorPage(paths(c).stylesheet, answer.status, errorText(answer.body)),
        answer.status,
        answer.headers,
      );
    }
  };
}

function paths(c: Context<AppEnv>) {
  const prefix = c.var.edgeauth.config.ROUTE_PREFIX_LOGIN;
  return {
    login: `${prefix}/login/`,
    logout: `${prefix}/logout/`,
    stylesheet: `${prefix}/style.css`,
  };
}

/** Runs the CSRF check; a failure is Django's HTML 403 page rather than JSON. */
async function csrfOrForbidden(c: Context<AppEnv>): Promise<Response | undefined> {
  try {
    await enforceCsrf(c, c.var.edgeauth.config);
    return undefined;
  } catch (err) {
    if (err instanceof AuthError && err.code === 'permission_denied') {
      return html(c, csrfFailurePage(paths(c).stylesheet), 403);
    }
    throw err;
  }
}

function showLogin(
  c: Context<AppEnv>,
  fields: { next: string; username?: string; error?: string; passwordError?: string },
  status: 200 | 400 = 200,
) {
  const { login, stylesheet } = paths(c);
  const csrfToken = ensureCsrfCookie(c, c.var.edgeauth.config);
  return html(c, loginPage({ action: login, stylesheet, csrfToken, ...fields }), status);
}

async function loginForm(c: Context<AppEnv>): Promise<Response> {
  return showLogin(c, { next: safeNext(c.req.query('next'), '') });
}

async function loginSubmit(c: Context<AppEnv>): Promise<Response> {
  const refused = await csrfOrForbidden(c);
  if (refused) return refused;
  const data = await readData(c);
  const text = (name: string) => (typeof data[name] === 'string' ? (data[name] as string) : '');
  const next = safeNext(text('next'), '');
  const username = text('username').trim();
  const password = text('password');
  // As every other route that takes a password: DRF's field error, before any hashing.
  const max = c.var.edgeauth.config.PASSWORD_MAX_LENGTH;
  if ([...password].length > max) {
    return showLogin(c, { next, username, passwordError: maxLengthMessage(max) }, 400);
  }
  const user =
    username && password ? await checkCredentials(userDeps(c), username, password) : null;
  if (!user) return showLogin(c, { next, username, error: BAD_LOGIN });
  await beginSession(c, user);
  const target = next || c.var.edgeauth.config.LOGIN_REDIRECT_URL;
  return c.body(null, 302, { Location: target, 'Cache-Control': NEVER_CACHE, Vary: 'Cookie' });
}

/** The session behind the request, if any (these pages answer CSRF failures as HTML, so they run it here). */
async function sessionAuth(c: Context<AppEnv>): Promise<void> {
  const session = c.var.edgeauth.authenticators.SessionAuthentication;
  c.set('authenticators', [session]);
  c.set('auth', await session.authenticate(c));
}

async function logoutForm(c: Context<AppEnv>): Promise<Response> {
  const { config } = c.var.edgeauth;
  await sessionAuth(c);
  if (!c.var.auth) return c.redirect(config.LOGIN_URL, 302);
  const { logout, stylesheet } = paths(c);
  const user = await loadUser(c);
  const csrfToken = ensureCsrfCookie(c, config);
  return html(c, logoutPage({ action: logout, stylesheet, csrfToken, username: user.username }));
}

async function logoutSubmit(c: Context<AppEnv>): Promise<Response> {
  const refused = await csrfOrForbidden(c);
  if (refused) return refused;
  // The body first: a request refused for its body must not have logged out.
  const data = await readData(c);
  await sessionAuth(c);
  await finishSession(c);
  const { config } = c.var.edgeauth;
  expireSessionCookie(c, config);
  const target = safeNext(data.next, config.LOGOUT_REDIRECT_URL);
  return c.body(null, 302, { Location: target, 'Cache-Control': NEVER_CACHE, Vary: 'Cookie' });
}

/** The text of an error answer: its `detail`, or its field messages. */
function errorText(body: Record<string, unknown>): string {
  if (typeof body.detail === 'string') return body.detail;
  return Object.values(body).flat().join(' ');
}

export function loginPageRoutes(app: Hono<AppEnv>, prefix: string): void {
  app.all(
    `${prefix}/login`,
    htmlErrors(endpoint({ name: 'Login' }, { GET: loginForm, POST: loginSubmit })),
  );
  app.all(
    `${prefix}/logout`,
    htmlErrors(endpoint({ name: 'Logout' }, { GET: logoutForm, POST: logoutSubmit })),
  );
  app.get(`${prefix}/style.css`, (c) =>
    c.body(STYLESHEET, 200, {
      'Content-Type': 'text/css; charset=utf-8',
      'Cache-Control': 'public, max-age=3600',
    }),
  );
}
