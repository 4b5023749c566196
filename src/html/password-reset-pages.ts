/**
 * @module html/password-reset-pages
 * The "forgot password" pages, with Django's texts (`registration/password_reset_*`):
 * the request form, the page that says a mail is on its way, the form for
 * the new password that the mail's link opens, the page for a link that no
 * longer works, and the one after success. No script, like the login page.
 */
import { describedBy, errorLine, escapeHtml, layout } from './pages';

export interface ResetRequestPage {
  action: string;
  stylesheet: string;
  csrfToken: string;
  email?: string;
  /** Shown above the field: the address was refused. */
  error?: string;
}

export function resetRequestPage(page: ResetRequestPage): string {
  const error = page.error ? 'email-error' : undefined;
  return layout(
    'Password reset',
    page.stylesheet,
    `<h1>Forgot your password?</h1>
<p>Enter your email address below, and we’ll email instructions for setting a new one.</p>
${errorLine('email-error', page.error)}<form method="post" action="${escapeHtml(page.action)}">
<input type="hidden" name="csrfmiddlewaretoken" value="${escapeHtml(page.csrfToken)}">
<p><label for="id_email">Email address</label>
<input type="email" name="email" id="id_email" value="${escapeHtml(page.email ?? '')}" autocomplete="email" maxlength="254" required autofocus${describedBy(error)}></p>
<p><button type="submit" name="submit">Reset my password</button></p>
</form>`,
  );
}

export function resetSentPage(page: { stylesheet: string; loginUrl: string }): string {
  return layout(
    'Password reset sent',
    page.stylesheet,
    `<h1>Password reset sent</h1>
<p>We’ve emailed you instructions for setting your password, if an account exists with the email you entered. You should receive them shortly.</p>
<p>If you don’t receive an email, please make sure you’ve entered the address you registered with, and check your spam folder.</p>
<p><a href="${escapeHtml(page.loginUrl)}">Back to the login</a></p>`,
  );
}

export interface ResetConfirmPage {
  action: string;
  stylesheet: string;
  csrfToken: string;
  uid: string;
  token: string;
  /** Field errors: `new_password1` (too long) and `new_password2` (mismatch, validators). */
  errors?: { new_password1?: readonly string[]; new_password2?: readonly string[] };
}

function passwordField(name: string, label: string, messages: readonly string[] = []): string {
  const ids = messages.map((_, i) => `${name}-error-${i + 1}`);
  const errors = messages.map((message, i) => errorLine(ids[i]!, message)).join('');
  const described = ids.length > 0 ? ids.join(' ') : undefined;
  return `${errors}<p><label for="id_${name}">${label}</label>
<input type="password" name="${name}" id="id_${name}" autocomplete="new-password" required${describedBy(described)}></p>`;
}

export function resetConfirmPage(page: ResetConfirmPage): string {
  return layout(
    'Enter new password',
    page.stylesheet,
    `<h1>Enter new password</h1>
<p>Please enter your new password twice so we can verify you typed it in correctly.</p>
<form method="post" action="${escapeHtml(page.action)}">
<input type="hidden" name="csrfmiddlewaretoken" value="${escapeHtml(page.csrfToken)}">
<input type="hidden" name="uid" value="${escapeHtml(page.uid)}">
<input type="hidden" name="token" value="${escapeHtml(page.token)}">
${passwordField('new_password1', 'New password', page.errors?.new_password1)}
${passwordField('new_password2', 'Confirm password', page.errors?.new_password2)}
<p><button type="submit" name="submit">Change my password</button></p>
</form>`,
  );
}

export function resetInvalidPage(page: { stylesheet: string; requestUrl: string }): string {
  return layout(
    'Password reset unsuccessful',
    page.stylesheet,
    `<h1>Password reset unsuccessful</h1>
<p>The password reset link was invalid, possibly because it has already been used. Please request a new password reset.</p>
<p><a href="${escapeHtml(page.requestUrl)}">Request a new link</a></p>`,
  );
}

export function resetCompletePage(page: { stylesheet: string; loginUrl: string }): string {
  return layout(
    'Password reset complete',
    page.stylesheet,
    `<h1>Password reset complete</h1>
<p>Your password has been set. You may go ahead and log in now.</p>
<p><a href="${escapeHtml(page.loginUrl)}">Log in</a></p>`,
  );
}
