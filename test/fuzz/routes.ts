/**
 * @module fuzz/routes
 * Every route of `src/app.ts` and `src/routes/*` with the default prefixes,
 * what each promises (a JSON API, an HTML page, a stylesheet or script, the
 * static site's gate), and the body fields it reads. `fuzz.test.ts` checks this list
 * against the routes the app really registers, so a new route cannot escape
 * the fuzzer.
 */

import fc from 'fast-check';

/**
 * `api`: JSON; `html`: a browser's pages (errors are pages too); `page`,
 * `stylesheet`, `script`: HTML, CSS or JavaScript on `GET`, JSON errors
 * otherwise; `gate`: the static site's gate.
 */
export type RouteKind = 'api' | 'html' | 'page' | 'stylesheet' | 'script' | 'gate';

export interface RouteSpec {
  /** Path without its trailing slash; `{param}`s (`paths.ts`, `ID_REFS`) are filled in. */
  path: string;
  methods: readonly string[];
  kind: RouteKind;
  /**
   * Body fields the handler reads: each list is one complete body it can act
   * on. `name:new` is the field `name` with values for a new account rather
   * than the pool's (`username:new` for register, `password:new`).
   */
  fields: readonly (readonly string[])[];
  /**
   * Some bodies need mail (resend-email, an email change): on a target with
   * no mail backend ({@link WITHOUT_MAIL}) they answer the documented 503
   * "misconfigured", never mail dropped in silence.
   */
  mail?: true;
}

/** The targets with no mail backend (production without one configured). */
export const WITHOUT_MAIL: ReadonlySet<string> = new Set(['default']);

const CREDENTIALS = [['username', 'password']];

export const ROUTES: readonly RouteSpec[] = [
  { path: '/api/health', methods: ['GET'], kind: 'api', fields: [] },
  { path: '/api/schema', methods: ['GET'], kind: 'api', fields: [] },
  {
    path: '/api/auth/register',
    methods: ['POST'],
    kind: 'api',
    fields: [
      ['username:new', 'email', 'password:new'],
      ['username:new', 'password1', 'password2'],
    ],
  },
  {
    path: '/api/auth/registration/verify-email',
    methods: ['POST'],
    kind: 'api',
    fields: [['key']],
  },
  {
    path: '/api/auth/registration/resend-email',
    methods: ['POST'],
    kind: 'api',
    fields: [['email']],
    mail: true,
  },
  {
    path: '/api/me',
    methods: ['GET', 'PATCH', 'DELETE'],
    kind: 'api',
    fields: [['email'], ['username:new', 'email'], ['password']],
    mail: true,
  },
  {
    path: '/api/auth/password/change',
    methods: ['POST'],
    kind: 'api',
    fields: [['old_password', 'new_password1', 'new_password2']],
  },
  { path: '/api/token', methods: ['POST'], kind: 'api', fields: CREDENTIALS },
  { path: '/api/token/refresh', methods: ['POST'], kind: 'api', fields: [['refresh']] },
  { path: '/api/token/verify', methods: ['POST'], kind: 'api', fields: [['token']] },
  { path: '/api/token/blacklist', methods: ['POST'], kind: 'api', fields: [['refresh']] },
  { path: '/api/token/logout', methods: ['POST'], kind: 'api', fields: [] },
  { path: '/api/token/logoutall', methods: ['POST'], kind: 'api', fields: [] },
  { path: '/api-token-auth', methods: ['POST'], kind: 'api', fields: CREDENTIALS },
  {
    path: '/api/tokens',
    methods: ['GET', 'POST'],
    kind: 'api',
    fields: [['name'], ['name', 'expires_in', 'scopes']],
  },
  { path: '/api/tokens/logout', methods: ['POST'], kind: 'api', fields: [] },
  { path: '/api/tokens/logoutall', methods: ['POST'], kind: 'api', fields: [] },
  { path: '/api/tokens/{tokenId}', methods: ['DELETE'], kind: 'api', fields: [] },
  { path: '/.well-known/jwks.json', methods: ['GET'], kind: 'api', fields: [] },
  { path: '/api/auth/login', methods: ['POST'], kind: 'api', fields: CREDENTIALS },
  { path: '/api/auth/logout', methods: ['POST'], kind: 'api', fields: [] },
  { path: '/api/auth/sessions', methods: ['GET'], kind: 'api', fields: [] },
  { path: '/api/auth/sessions/logoutothers', methods: ['POST'], kind: 'api', fields: [] },
  { path: '/api/auth/sessions/{sessionPublicId}', methods: ['DELETE'], kind: 'api', fields: [] },
  { path: '/api/admin/users', methods: ['GET'], kind: 'api', fields: [] },
  {
    path: '/api/admin/users/{userId}',
    methods: ['GET', 'PATCH', 'DELETE'],
    kind: 'api',
    fields: [['is_active'], ['is_staff'], ['email'], ['is_active', 'is_staff', 'email']],
  },
  {
    path: '/api/admin/users/{userId}/revoke-credentials',
    methods: ['POST'],
    kind: 'api',
    fields: [],
  },
  {
    path: '/api-auth/login',
    methods: ['GET', 'POST'],
    kind: 'html',
    fields: [['csrfmiddlewaretoken', 'username', 'password', 'next']],
  },
  {
    path: '/api-auth/logout',
    methods: ['GET', 'POST'],
    kind: 'html',
    fields: [['csrfmiddlewaretoken', 'next']],
  },
  {
    path: '/api-auth/confirm-email',
    methods: ['GET', 'POST'],
    kind: 'html',
    fields: [['csrfmiddlewaretoken', 'key']],
  },
  { path: '/api-auth/style.css', methods: ['GET'], kind: 'stylesheet', fields: [] },
  { path: '/api/schema', methods: ['GET'], kind: 'api', fields: [] },
  { path: '/api/schema/docs', methods: ['GET'], kind: 'page', fields: [] },
  { path: '/api/schema/docs/docs.js', methods: ['GET'], kind: 'script', fields: [] },
  { path: '/api/schema/docs/docs.css', methods: ['GET'], kind: 'stylesheet', fields: [] },
  {
    path: '/api/auth/password/reset',
    methods: ['POST'],
    kind: 'api',
    fields: [['email']],
    mail: true,
  },
  {
    path: '/api/auth/password/reset/confirm',
    methods: ['POST'],
    kind: 'api',
    fields: [['uid', 'token', 'new_password1', 'new_password2']],
  },
  {
    path: '/api-auth/password/reset',
    methods: ['GET', 'POST'],
    kind: 'html',
    fields: [['csrfmiddlewaretoken', 'email']],
    mail: true,
  },
  {
    path: '/api-auth/password/reset/{uid}/{resetToken}',
    methods: ['GET'],
    kind: 'html',
    fields: [],
  },
  {
    path: '/api-auth/password/reset/confirm',
    methods: ['POST'],
    kind: 'html',
    fields: [['csrfmiddlewaretoken', 'uid', 'token', 'new_password1', 'new_password2']],
  },
  // The gate (`SITE_PROTECTED_PATHS = ["/app/*"]`): the files in public/app/ and their aliases.
  { path: '/app', methods: ['GET'], kind: 'gate', fields: [] },
  { path: '/app/index.html', methods: ['GET'], kind: 'gate', fields: [] },
  { path: '/app/index', methods: ['GET'], kind: 'gate', fields: [] },
  { path: '/app/report.html', methods: ['GET'], kind: 'gate', fields: [] },
  { path: '/app/report', methods: ['GET'], kind: 'gate', fields: [] },
  { path: '/app/missing.html', methods: ['GET'], kind: 'gate', fields: [] },
  // A file outside the gate: the asset router serves it before the Worker in production.
  { path: '/index.html', methods: ['GET'], kind: 'api', fields: [] },
];

/**
 * A route, three times as likely when it reads a body: that is where most
 * of the code behind the routes is.
 */
export const ROUTE = fc.oneof(
  ...ROUTES.map((route) => ({
    weight: route.fields.length > 0 ? 3 : 1,
    arbitrary: fc.constant(route),
  })),
);

/** The names the app gives its path parameters; `:id` for the others. */
const HONO_PARAMS: Readonly<Record<string, string>> = { uid: 'uid', resetToken: 'token' };

/** The `:param` form Hono registers, for comparing with `app.routes`. */
export function honoPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => `:${HONO_PARAMS[name] ?? 'id'}`);
}

/**
 * Hono decodes a path with `decodeURI` (reserved characters such as `%2F`
 * stay encoded) and, when that fails, each run of escapes that decodes on
 * its own (`tryDecode` in hono/utils/url), leaving the others as they are.
 */
function decodedPath(pathname: string): string {
  const decode = (text: string) => {
    try {
      return decodeURI(text);
    } catch {
      return undefined;
    }
  };
  return (
    decode(pathname) ??
    pathname.replace(/(?:%[0-9A-Fa-f]{2})+/g, (escapes) => decode(escapes) ?? escapes)
  );
}

function matches(spec: RouteSpec, path: string): boolean {
  const pattern = spec.path.replace(/[.]/g, '\\.').replace(/\{\w+\}/g, '[^/]+');
  return new RegExp(`^${pattern}/?$`).test(path);
}

/**
 * The kind of answer a request can expect, from the URL the Worker sees.
 * Fixed paths win over `{param}` ones, as in the app (they are registered first).
 */
export function routeOf(url: URL): RouteSpec | undefined {
  const path = decodedPath(url.pathname);
  const fixed = ROUTES.filter((spec) => !spec.path.includes('{'));
  return (
    fixed.find((spec) => matches(spec, path)) ??
    ROUTES.find((spec) => spec.path.includes('{') && matches(spec, path))
  );
}

/** The gate runs for GET and HEAD under `/app/` (and `/app` itself), on the raw path. */
export function isGated(url: URL, method: string): boolean {
  const m = method.toUpperCase();
  return (
    (m === 'GET' || m === 'HEAD') && (url.pathname === '/app' || url.pathname.startsWith('/app/'))
  );
}
