/**
 * Logging in through each of the five channels of the login pipeline, as a
 * client does: JWT obtain, `/api-token-auth/`, the JSON session login, the
 * HTML form and Basic.
 */
import type { LoginAttempt } from '../../src/services/login';
import { basic, call, postJson, type App, type TestUser } from './index';
import { CookieJar, send } from './browser';

export type Channel = LoginAttempt['channel'];

/**
 * Settings under which every channel can log in: Basic among the default
 * classes (so `/api/me/` takes it), and JWT obtain not recording `last_login`.
 */
export const EVERY_CHANNEL = {
  DEFAULT_AUTHENTICATION_CLASSES:
    'JWTAuthentication,TokenAuthentication,SessionAuthentication,BasicAuthentication',
  UPDATE_LAST_LOGIN: 'false',
};

/** Logs in through one channel; resolves whether it was accepted. */
export const LOGINS: Record<Channel, (app: App, user: TestUser) => Promise<boolean>> = {
  async jwt(app, user) {
    return (await postJson(app, '/api/token/', user)).status === 200;
  },
  async 'api-token-auth'(app, user) {
    return (await postJson(app, '/api-token-auth/', user)).status === 200;
  },
  async session(app, user) {
    return (await postJson(app, '/api/auth/login/', user)).status === 200;
  },
  async 'login-page'(app, user) {
    return (await submitLoginForm(app, user)).status === 302;
  },
  async basic(app, user) {
    return (await call(app, '/api/me/', { headers: basic(user.username, user.password) })).ok;
  },
};

/** Opens the HTML login form and posts it with the user's credentials and the CSRF token. */
export async function submitLoginForm(app: App, user: TestUser): Promise<Response> {
  const jar = new CookieJar();
  jar.store(await call(app, '/api-auth/login/'));
  return send(app, jar, 'POST', '/api-auth/login/', {
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      csrfmiddlewaretoken: jar.get('csrftoken')!,
      username: user.username,
      password: user.password,
    }).toString(),
  });
}
