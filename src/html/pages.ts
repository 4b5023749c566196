/**
 * @module html/pages
 * The server-rendered pages of the browser login (DRF's browsable-API login):
 * plain HTML with labelled fields, no script at all, styled by one
 * stylesheet served from the same origin, so a strict Content-Security-Policy
 * holds (`default-src 'none'`).
 */

import { escapeHtml } from './escape';

export { escapeHtml } from './escape';

/** No script, no inline style, nothing from elsewhere; forms post only here. */
export const PAGE_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'";

/** Django's `never_cache`. */
export const NEVER_CACHE = 'max-age=0, no-cache, no-store, must-revalidate, private';

/** A whole page: `main` is trusted markup, every value in it already escaped. */
export function layout(title: string, stylesheet: string, main: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${escapeHtml(stylesheet)}">
</head>
<body>
<main>
${main}
</main>
</body>
</html>
`;
}

export interface LoginPage {
  action: string;
  stylesheet: string;
  csrfToken: string;
  next: string;
  username?: string;
  /** Shown above the form: the credentials were not accepted. */
  error?: string;
  /** Shown above the password field: the password itself was refused (too long). */
  passwordError?: string;
  /** The "forgot password" page, linked below the form when a mail backend is configured. */
  resetUrl?: string;
}

/** An error paragraph with `id`, announced to assistive technology; nothing without a message. */
export function errorLine(id: string, message: string | undefined): string {
  return message ? `<p class="error" id="${id}" role="alert">${escapeHtml(message)}</p>\n` : '';
}

/** The attributes tying a control to its error paragraph `id`. */
export function describedBy(id: string | undefined): string {
  return id ? ` aria-describedby="${id}" aria-invalid="true"` : '';
}

/** The login form: fields `csrfmiddlewaretoken`, `next`, `username`, `password`, as Django's. */
export function loginPage(page: LoginPage): string {
  const formError = page.error ? 'login-error' : undefined;
  const passwordError = page.passwordError ? 'password-error' : formError;
  return layout(
    'Log in',
    page.stylesheet,
    `<h1>Log in</h1>
${errorLine('login-error', page.error)}<form method="post" action="${escapeHtml(page.action)}">
<input type="hidden" name="csrfmiddlewaretoken" value="${escapeHtml(page.csrfToken)}">
<input type="hidden" name="next" value="${escapeHtml(page.next)}">
<p><label for="id_username">Username</label>
<input type="text" name="username" id="id_username" value="${escapeHtml(page.username ?? '')}" autocomplete="username" autocapitalize="none" maxlength="150" required autofocus${describedBy(formError)}></p>
${errorLine('password-error', page.passwordError)}<p><label for="id_password">Password</label>
<input type="password" name="password" id="id_password" autocomplete="current-password" required${describedBy(passwordError)}></p>
<p><button type="submit" name="submit">Log in</button></p>
</form>${page.resetUrl ? `\n<p><a href="${escapeHtml(page.resetUrl)}">Forgot your password?</a></p>` : ''}`,
  );
}

/** The logout confirmation: a form, because logging out must be a POST with a CSRF token. */
export function logoutPage(page: {
  action: string;
  stylesheet: string;
  csrfToken: string;
  username: string;
}) {
  return layout(
    'Log out',
    page.stylesheet,
    `<h1>Log out</h1>
<p>You are logged in as <strong>${escapeHtml(page.username)}</strong>.</p>
<form method="post" action="${escapeHtml(page.action)}">
<input type="hidden" name="csrfmiddlewaretoken" value="${escapeHtml(page.csrfToken)}">
<p><button type="submit" name="submit">Log out</button></p>
</form>`,
  );
}

/** Django's 403 page for a failed CSRF check. */
export function csrfFailurePage(stylesheet: string): string {
  return layout(
    '403 Forbidden',
    stylesheet,
    `<h1>Forbidden (403)</h1>
<p>CSRF verification failed. Request aborted.</p>
<p>Reload the login page and try again; your browser must accept cookies from this site.</p>`,
  );
}

/** Django's plain error page: `<reason> (<status>)` and what went wrong. */
export function errorPage(stylesheet: string, status: number, detail: string): string {
  const reason = STATUS_TEXT[status] ?? 'Error';
  return layout(
    `${status} ${reason}`,
    stylesheet,
    `<h1>${reason} (${status})</h1>
<p>${escapeHtml(detail)}</p>`,
  );
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Server Error',
  503: 'Service Unavailable',
};

/** The stylesheet, served by the Worker itself so that pages need nothing else. */
export const STYLESHEET = `:root { color-scheme: light dark; font-family: system-ui, sans-serif; }
body { margin: 0; min-height: 100vh; display: grid; place-items: center; }
main { width: min(22rem, 90vw); padding: 2rem; border: 1px solid #8886; border-radius: 0.5rem; }
h1 { margin-top: 0; font-size: 1.5rem; }
label { display: block; font-weight: 600; margin-bottom: 0.25rem; }
input[type="text"], input[type="email"], input[type="password"] { width: 100%; box-sizing: border-box; padding: 0.5rem; font: inherit; }
button { padding: 0.5rem 1.25rem; font: inherit; cursor: pointer; }
:focus-visible { outline: 3px solid #2563eb; outline-offset: 2px; }
.error { color: #b91c1c; border-left: 4px solid currentColor; padding-left: 0.5rem; }
`;
