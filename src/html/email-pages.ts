/**
 * @module html/email-pages
 * The page a confirmation mail links to by default: opening the link shows a
 * button and changes nothing (mail scanners open links); only the form's POST
 * confirms. Plain HTML, no script, like the login pages.
 */
import { escapeHtml } from './escape';
import { layout } from './pages';

export function confirmEmailPage(page: {
  action: string;
  stylesheet: string;
  csrfToken: string;
  key: string;
}): string {
  return layout(
    'Confirm your email address',
    page.stylesheet,
    `<h1>Confirm your email address</h1>
<p>Confirm the address this link was sent to.</p>
<form method="post" action="${escapeHtml(page.action)}">
<input type="hidden" name="csrfmiddlewaretoken" value="${escapeHtml(page.csrfToken)}">
<input type="hidden" name="key" value="${escapeHtml(page.key)}">
<p><button type="submit" name="submit">Confirm</button></p>
</form>`,
  );
}

export function emailConfirmedPage(page: { stylesheet: string; loginUrl: string }): string {
  return layout(
    'Email address confirmed',
    page.stylesheet,
    `<h1>Email address confirmed</h1>
<p>Thank you: the address is confirmed.</p>
<p><a href="${escapeHtml(page.loginUrl)}">Log in</a></p>`,
  );
}
