/**
 * @module routes/password-reset-pages
 * The "forgot password" flow for browsers, under `ROUTE_PREFIX_LOGIN`
 * beside the login page, so that a static site with no frontend code has
 * one:
 *
 * - `password/reset/`: GET the form asking for the address; POST it, and
 *   the same "mail sent" page answers whether or not the address has an
 *   account (the work runs after the response).
 * - `password/reset/<uid>/<token>/`: the page the mail links to (the default
 *   `PASSWORD_RESET_URL`). GET only reads: it shows the form for the new
 *   password with `uid` and `token` hidden in it, or says the link no longer
 *   works. Opening the link changes nothing.
 * - `password/reset/confirm/`: the form's POST, which sets the password.
 *
 * Every POST passes the CSRF check of the login form. The pages are never
 * cached and send `Referrer-Policy: no-referrer`: the token is in the URL.
 */
import type { Context } from 'hono';
import { enforceCsrf } from '../auth/csrf';
import type { AuthConfig } from '../config';
import type { AppEnv } from '../env';
import { ValidationError } from '../errors';
import { ensureCsrfCookie } from '../http/cookies';
import {
  resetCompletePage,
  resetConfirmPage,
  resetInvalidPage,
  resetRequestPage,
  resetSentPage,
} from '../html/password-reset-pages';
import { EMAIL_INVALID, isValidEmail } from '../validation/username';
import { body } from '../validation/schema';
import { operation, type RouteDeclaration } from './declare';
import { FORM, html, renderError, text } from './login-page';
import { recordResetCompleted, startReset } from './password-reset';
import { page } from './responses';

const NO_REFERRER = { 'Referrer-Policy': 'no-referrer' };

/** The login pages' error page, without a referrer either (the link's URL carries the token). */
function renderResetError(err: unknown, c: Context<AppEnv>): Response {
  const response = renderError(err, c);
  response.headers.set('Referrer-Policy', 'no-referrer');
  return response;
}

const requestForm = body({ email: text() });
const confirmForm = body({
  uid: text(),
  token: text(),
  new_password1: text(),
  new_password2: text(),
});

function paths(config: AuthConfig) {
  const prefix = `${config.ROUTE_PREFIX_LOGIN}/password/reset`;
  return {
    request: `${prefix}/`,
    link: `${prefix}/:uid/:token/`,
    confirm: `${prefix}/confirm/`,
    stylesheet: `${config.ROUTE_PREFIX_LOGIN}/style.css`,
  };
}

export function passwordResetPageRoutes(config: AuthConfig): RouteDeclaration[] {
  const { request, link, confirm, stylesheet } = paths(config);
  const tag = 'Login pages';
  const show = (c: Context<AppEnv>, content: string, status: 200 | 400 = 200) =>
    html(c, content, status, NO_REFERRER);
  const invalidLink = (c: Context<AppEnv>, status: 200 | 400) =>
    show(c, resetInvalidPage({ stylesheet, requestUrl: request }), status);

  function showRequest(c: Context<AppEnv>, email = '', error?: string) {
    const csrfToken = ensureCsrfCookie(c, config);
    const content = resetRequestPage({ action: request, stylesheet, csrfToken, email, error });
    return show(c, content, error ? 400 : 200);
  }

  function showConfirm(
    c: Context<AppEnv>,
    fields: { uid: string; token: string },
    errors?: Record<string, string[]>,
  ) {
    const csrfToken = ensureCsrfCookie(c, config);
    const content = resetConfirmPage({ action: confirm, stylesheet, csrfToken, ...fields, errors });
    return show(c, content, errors ? 400 : 200);
  }

  return [
    {
      path: request,
      name: 'Password Reset Page',
      tag,
      renderError: renderResetError,
      operations: {
        GET: operation({
          summary: 'The "forgot password" form',
          authentication: [],
          permissions: [],
          responses: {
            200: page('The form, with a CSRF cookie.'),
            503: page('No mail backend is configured.'),
          },
          handler(c) {
            c.var.edgeauth.services.mail.require();
            return showRequest(c);
          },
        }),
        POST: operation({
          summary:
            'Mail a reset link; the same page answers whether or not the address has an account',
          authentication: [],
          permissions: [],
          body: requestForm,
          bodyTypes: FORM,
          responses: {
            200: page('The mail is on its way, if the address has an account.'),
            400: page('The address is not valid.'),
            403: page('The CSRF check failed.'),
            503: page('No mail backend is configured.'),
          },
          async handler(c, { body }) {
            c.var.edgeauth.services.mail.require();
            await enforceCsrf(c, config);
            const email = (await body()).email.trim();
            if (!isValidEmail(email)) return showRequest(c, email, EMAIL_INVALID);
            await startReset(c, email);
            return show(c, resetSentPage({ stylesheet, loginUrl: config.LOGIN_URL }));
          },
        }),
      },
    },
    {
      path: link,
      name: 'Password Reset Link',
      tag,
      renderError: renderResetError,
      operations: {
        GET: operation({
          summary: 'The page a reset mail links to: the new-password form (changes nothing)',
          authentication: [],
          permissions: [],
          responses: { 200: page('The form, or a page saying the link no longer works.') },
          async handler(c) {
            const { uid, token } = c.req.param() as { uid: string; token: string };
            const valid = await c.var.edgeauth.services.passwordReset.check(uid, token);
            return valid ? showConfirm(c, { uid, token }) : invalidLink(c, 200);
          },
        }),
      },
    },
    {
      path: confirm,
      name: 'Password Reset Confirm Page',
      tag,
      renderError: renderResetError,
      operations: {
        POST: operation({
          summary: 'Set the new password from the form the reset link opened',
          authentication: [],
          permissions: [],
          body: confirmForm,
          bodyTypes: FORM,
          responses: {
            200: page('The password was set; every credential of the account is revoked.'),
            400: page('The password was refused (the form again), or the link no longer works.'),
            403: page('The CSRF check failed.'),
          },
          async handler(c, { body }) {
            await enforceCsrf(c, config);
            const form = await body();
            const fields = { uid: form.uid, token: form.token };
            try {
              const user = await c.var.edgeauth.services.passwordReset.confirm({
                uid: form.uid,
                token: form.token,
                newPassword1: form.new_password1,
                newPassword2: form.new_password2,
              });
              await recordResetCompleted(c, user);
            } catch (err) {
              if (!(err instanceof ValidationError)) throw err;
              if (err.fields.uid || err.fields.token) return invalidLink(c, 400);
              return showConfirm(c, fields, { ...err.fields });
            }
            return show(c, resetCompletePage({ stylesheet, loginUrl: config.LOGIN_URL }));
          },
        }),
      },
    },
  ];
}
