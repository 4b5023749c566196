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
import type { Context } from 'hono';
import { loadUser } from '../auth/authenticate';
import { enforceCsrf } from '../auth/csrf';
import { expireSessionCookie } from '../auth/session';
import type { AuthConfig } from '../config';
import type { AppEnv } from '../env';
import { ApiError } from '../errors';
import { clientDetails } from '../http/client';
import { ensureCsrfCookie } from '../http/cookies';
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
import { EMAIL_NOT_VERIFIED } from '../services/login';
import { maxLengthMessage } from '../validation/fields';
import { body, custom } from '../validation/schema';
import { operation, type RouteDeclaration } from './declare';
import { page, redirect } from './responses';
import { sessionLogin, sessionLogout } from './session-cookies';

const BAD_LOGIN =
  'Please enter a correct username and password. Note that both fields may be case-sensitive.';

/** A page of the browser login: never cached, the pages' CSP. */
export function html(
  c: Context<AppEnv>,
  content: string,
  status = 200,
  headers: Record<string, string> = {},
): Response {
  return c.html(content, status as 200, {
    ...headers,
    'Cache-Control': NEVER_CACHE,
    'Content-Security-Policy': PAGE_CSP,
    Vary: 'Cookie',
  });
}

export function paths(config: AuthConfig) {
  const prefix = config.ROUTE_PREFIX_LOGIN;
  return {
    login: `${prefix}/login/`,
    logout: `${prefix}/logout/`,
    stylesheet: `${prefix}/style.css`,
  };
}

/** The text of an error answer: its `detail`, or its field messages. */
function errorText(content: Record<string, unknown>): string {
  if (typeof content.detail === 'string') return content.detail;
  return Object.values(content).flat().join(' ');
}

/**
 * These are pages for a browser: whatever goes wrong (a body that does not
 * parse, a method the page lacks, storage down) is answered as an HTML page
 * with the status and headers (`Allow`, `Retry-After`) the JSON routes give;
 * a failed CSRF check is Django's own 403 page.
 */
export function renderError(err: unknown, c: Context<AppEnv>): Response {
  const { stylesheet } = paths(c.var.edgeauth.config);
  if (err instanceof ApiError && err.options.reason === 'csrf') {
    return html(c, csrfFailurePage(stylesheet), 403);
  }
  const answer = errorAnswer(err, c);
  const content = errorPage(stylesheet, answer.status, errorText(answer.body));
  return html(c, content, answer.status, answer.headers);
}

/** The form's fields as the page reads them: any field that is not text is empty. */
export const text = () =>
  custom<string>({
    required: true,
    schema: { type: 'string' },
    read: (_fields, name, data) => (typeof data[name] === 'string' ? (data[name] as string) : ''),
  });
/** Read by the CSRF check itself (`auth/csrf.ts`); listed so that the document shows it. */
const csrfToken = custom<string>({
  schema: {
    type: 'string',
    description: 'The `csrftoken` cookie’s value; required unless the CSRF header carries it.',
  },
  read: () => undefined,
});
const loginForm = body({
  csrfmiddlewaretoken: csrfToken,
  username: text(),
  password: text(),
  next: text(),
});
const logoutForm = body({ csrfmiddlewaretoken: csrfToken, next: text() });

export const FORM = ['application/x-www-form-urlencoded', 'multipart/form-data'] as const;

export function loginPageRoutes(config: AuthConfig): RouteDeclaration[] {
  const { login, logout, stylesheet } = paths(config);
  const passwordResetPath = `${config.ROUTE_PREFIX_LOGIN}/password/reset/`;
  const tag = 'Login pages';

  function showLogin(
    c: Context<AppEnv>,
    fields: { next: string; username?: string; error?: string; passwordError?: string },
    status: 200 | 400 = 200,
  ) {
    const csrfToken = ensureCsrfCookie(c, config);
    // The "forgot password" link only where the flow can send its mail.
    const resetUrl = c.var.edgeauth.services.mail.backend ? passwordResetPath : undefined;
    const page = loginPage({ action: login, stylesheet, csrfToken, resetUrl, ...fields });
    return html(c, page, status);
  }

  return [
    {
      path: login,
      name: 'Login',
      tag,
      renderError,
      operations: {
        GET: operation({
          summary: 'The login form',
          authentication: [],
          permissions: [],
          responses: { 200: page('The form, with a CSRF cookie.') },
          handler: (c) => showLogin(c, { next: safeNext(c.req.query('next'), '') }),
        }),
        POST: operation({
          summary: 'Log in with the form: a session, then a redirect to `next`',
          authentication: [],
          permissions: [],
          body: loginForm,
          bodyTypes: FORM,
          responses: {
            200: page('The form again, saying the username or password was wrong.'),
            302: redirect('Logged in: to `next`, else `LOGIN_REDIRECT_URL`.'),
            400: page('The password is longer than `PASSWORD_MAX_LENGTH`.'),
            403: page('The CSRF check failed.'),
          },
          async handler(c, { body }) {
            await enforceCsrf(c, config);
            const data = await body();
            const next = safeNext(data.next, '');
            const username = data.username.trim();
            const { password } = data;
            // As every other route that takes a password: DRF's field error, before any hashing.
            const max = config.PASSWORD_MAX_LENGTH;
            if ([...password].length > max) {
              return showLogin(c, { next, username, passwordError: maxLengthMessage(max) }, 400);
            }
            const attempt = { channel: 'login-page' as const, username, password };
            const result =
              username && password
                ? await sessionLogin(c, { ...attempt, client: clientDetails(c) })
                : null;
            if (!result?.ok) {
              // After a correct password only: dj-rest-auth's text, as a form error.
              const unverified = result?.refusal.reason === 'email_not_verified';
              const error = unverified ? EMAIL_NOT_VERIFIED : BAD_LOGIN;
              return showLogin(c, { next, username, error });
            }
            const target = next || config.LOGIN_REDIRECT_URL;
            const headers = { Location: target, 'Cache-Control': NEVER_CACHE, Vary: 'Cookie' };
            return c.body(null, 302, headers);
          },
        }),
      },
    },
    {
      path: logout,
      name: 'Logout',
      tag,
      renderError,
      operations: {
        GET: operation({
          summary: 'The logout confirmation form',
          authentication: ['SessionAuthentication'],
          permissions: [],
          responses: {
            200: page('The form, naming the signed-in user.'),
            302: redirect('Not signed in: to `LOGIN_URL`.'),
          },
          async handler(c, { auth }) {
            if (!auth) return c.redirect(config.LOGIN_URL, 302);
            const user = await loadUser(c);
            const csrfToken = ensureCsrfCookie(c, config);
            const content = logoutPage({
              action: logout,
              stylesheet,
              csrfToken,
              username: user.username,
            });
            return html(c, content);
          },
        }),
        POST: operation({
          summary: 'Log out: end the session, then a redirect to `next`',
          authentication: ['SessionAuthentication'],
          permissions: [],
          body: logoutForm,
          bodyTypes: FORM,
          responses: {
            302: redirect('Logged out: to `next`, else `LOGOUT_REDIRECT_URL`.'),
            403: page('The CSRF check failed.'),
          },
          async handler(c, { auth, body }) {
            // Anonymous requests too: a cross-site form must not reach the logout.
            await enforceCsrf(c, config);
            const data = await body();
            await sessionLogout(c, config, auth);
            expireSessionCookie(c, config);
            const target = safeNext(data.next, config.LOGOUT_REDIRECT_URL);
            const headers = { Location: target, 'Cache-Control': NEVER_CACHE, Vary: 'Cookie' };
            return c.body(null, 302, headers);
          },
        }),
      },
    },
    {
      path: stylesheet,
      name: 'Login Stylesheet',
      tag,
      operations: {
        GET: operation({
          summary: 'The login pages’ stylesheet',
          authentication: [],
          permissions: [],
          responses: {
            200: { description: 'CSS.', content: { type: 'text/css', schema: { type: 'string' } } },
          },
          handler: (c) =>
            c.body(STYLESHEET, 200, {
              'Content-Type': 'text/css; charset=utf-8',
              'Cache-Control': 'public, max-age=3600',
            }),
        }),
      },
    },
  ];
}
