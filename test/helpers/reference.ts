/**
 * The reference server's extra views (shared/drf-reference.md): `/api/public/`
 * (AllowAny) and `/api/echo/` (IsAuthenticated, answers the body it read),
 * on an edgeauth app, in edgeauth's default order (JWT first) and in DRF's
 * (Session first).
 */
import { readData } from '../../src/http/body';
import { AllowAny, IsAuthenticated, authenticate, requirePermission } from '../../src/lib';
import { makeApp, type App, type MakeAppOptions } from './index';
import { send, type CookieJar } from './browser';

/** The body the echo cases send. */
export const ECHO = { msg: 'hello', n: 1, nested: { list: [1, 2, 3], ok: true } };

/** DRF's default order, with the reference server's redirect settings. */
export const SESSION_FIRST = {
  DEFAULT_AUTHENTICATION_CLASSES: 'SessionAuthentication,TokenAuthentication,JWTAuthentication',
  LOGIN_REDIRECT_URL: '/api/me/',
  LOGOUT_REDIRECT_URL: '/api/public/',
};

/** How many times `/api/echo/` has run, in every reference app: a refusal must leave it alone. */
export const echo = { runs: 0 };

/** An edgeauth app with the reference server's `/api/public/` and `/api/echo/` views. */
export function referenceApp(options: MakeAppOptions = {}): App {
  const app = makeApp(options);
  app.all('/api/public', authenticate(), requirePermission(AllowAny), (c) =>
    c.json({ public: true, authenticated: c.var.auth !== null }),
  );
  app.all('/api/echo', authenticate(), requirePermission(IsAuthenticated), async (c) => {
    echo.runs += 1;
    return c.json(await readData(c));
  });
  return app;
}

/** `POST /api/echo/` with {@link ECHO} as JSON and the jar's cookies. */
export function postEcho(app: App, jar: CookieJar, headers: Record<string, string> = {}) {
  return send(app, jar, 'POST', '/api/echo/', {
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(ECHO),
  });
}
