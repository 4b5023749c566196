/**
 * @module routes/confirm-email-page
 * `GET, POST <ROUTE_PREFIX_LOGIN>/confirm-email/`: where confirmation mails
 * link by default (`?key=<key>`), so a static site with no frontend code has
 * a working verification. `GET` shows a button and changes nothing; the
 * CSRF-protected `POST` confirms, as allauth's `ConfirmEmailView` does with
 * `ACCOUNT_CONFIRM_EMAIL_ON_GET` off. The key is in the URL, so the page is
 * never cached and sends no `Referer`.
 */
import type { Context } from 'hono';
import { enforceCsrf } from '../auth/csrf';
import type { AuthConfig } from '../config';
import type { AppEnv } from '../env';
import { ensureCsrfCookie } from '../http/cookies';
import { confirmEmailPage, emailConfirmedPage } from '../html/email-pages';
import { errorPage } from '../html/pages';
import { body, custom } from '../validation/schema';
import { operation, type RouteDeclaration } from './declare';
import { confirmKey, confirmPagePath } from './email-verification';
import { FORM, html, paths, renderError } from './login-page';
import { page } from './responses';

/** What a key looks like (32 bytes in base64url); anything else is not shown back. */
const KEY_SHAPE = /^[A-Za-z0-9_-]{1,128}$/;

const BAD_LINK = 'This confirmation link is invalid, has expired or was already used.';

const keyForm = body({
  key: custom<string>({
    required: true,
    schema: { type: 'string' },
    read: (_fields, name, data) => (typeof data[name] === 'string' ? (data[name] as string) : ''),
  }),
});

function answer(c: Context<AppEnv>, content: string, status = 200): Response {
  const res = html(c, content, status);
  res.headers.set('Referrer-Policy', 'no-referrer');
  return res;
}

export function confirmEmailPageRoutes(config: AuthConfig): RouteDeclaration[] {
  const action = confirmPagePath(config);
  const { stylesheet } = paths(config);
  const badLink = (c: Context<AppEnv>) => answer(c, errorPage(stylesheet, 404, BAD_LINK), 404);
  return [
    {
      path: action,
      name: 'Confirm Email',
      tag: 'Login pages',
      renderError: (err, c) => {
        const res = renderError(err, c);
        res.headers.set('Referrer-Policy', 'no-referrer');
        return res;
      },
      operations: {
        GET: operation({
          summary: 'The confirmation page a mail links to (`?key=`); changes nothing',
          authentication: [],
          permissions: [],
          responses: {
            200: page('A button that confirms the address.'),
            404: page('No key, or not one.'),
          },
          handler(c) {
            const key = c.req.query('key') ?? '';
            if (!KEY_SHAPE.test(key)) return badLink(c);
            const csrfToken = ensureCsrfCookie(c, config);
            return answer(c, confirmEmailPage({ action, stylesheet, csrfToken, key }));
          },
        }),
        POST: operation({
          summary: 'Confirm the address (the page’s form)',
          authentication: [],
          permissions: [],
          body: keyForm,
          bodyTypes: FORM,
          responses: {
            200: page('Confirmed.'),
            403: page('The CSRF check failed.'),
            404: page('The key is unknown, expired or used.'),
          },
          async handler(c, { body }) {
            await enforceCsrf(c, config);
            const { key } = await body();
            if (!KEY_SHAPE.test(key) || !(await confirmKey(c, key))) return badLink(c);
            return answer(c, emailConfirmedPage({ stylesheet, loginUrl: config.LOGIN_URL }));
          },
        }),
      },
    },
  ];
}
