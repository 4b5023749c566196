/**
 * @module routes/declare
 * Declared endpoints. Each route is declared once: its path, its name, and
 * per method the authentication classes, the permissions, the body schema,
 * the responses and the handler. `registerRoutes` registers each method with
 * Hono; the OpenAPI document (`routes/openapi.ts`) is generated from the same
 * declarations.
 *
 * A declared route answers as a DRF `APIView`: authentication, then
 * permissions, then the method's handler; `HEAD` is `GET` without a body;
 * `OPTIONS` answers the view's metadata and any other method is a 405 with
 * `Allow`. Those two run the first operation's authentication and
 * permissions, as DRF runs the view's.
 */
import type { Context, Hono } from 'hono';
import { identify } from '../auth/authenticate';
import type { Authentication } from '../auth/types';
import type { AuthenticationClassName } from '../config/settings';
import type { AppEnv } from '../env';
import { ApiError } from '../errors';
import { PARSED_MEDIA_TYPES, readData } from '../http/body';
import { checkPermissions, type Permission } from '../permissions';
import type { BodySchema, JsonSchema } from '../validation/schema';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Django's `http_method_names` order, which DRF's `Allow` follows. */
const ORDER = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/** A response as the OpenAPI document describes it. */
export interface ResponseSpec {
  description: string;
  /** A JSON body's schema (often a `$ref` to a component); absent: no body. */
  json?: JsonSchema;
  /** Another media type (`text/html`, `text/css`, ...) and its schema. */
  content?: { type: string; schema: JsonSchema };
  /** Response headers worth documenting, with their descriptions. */
  headers?: Record<string, string>;
}

/** Whether a permission list guarantees an authenticated request (it includes `IsAuthenticated`). */
type SignedIn<P extends readonly Permission[]> = [
  Extract<P[number], { readonly requiresAuthentication: true }>,
] extends [never]
  ? false
  : true;

/** The `method` of the identity each authentication class yields. */
interface MethodOfClass {
  JWTAuthentication: 'jwt';
  TokenAuthentication: 'token';
  SessionAuthentication: 'session';
  BasicAuthentication: 'basic';
}

export type Classes = 'default' | readonly AuthenticationClassName[];

/** The identities the declared classes can yield (any, for the default classes). */
type IdentityOf<C extends Classes> = C extends readonly AuthenticationClassName[]
  ? Extract<Authentication, { method: MethodOfClass[C[number]] }>
  : Authentication;

/** What a handler gets besides the context. */
export interface OperationInput<B, A extends boolean, I = Authentication> {
  /**
   * The request's identity, of a kind the declared classes yield (behind
   * `JWTAuthentication` alone, its credential is a JWT); never null behind
   * `IsAuthenticated`.
   */
  auth: A extends true ? I : I | null;
  /** Reads and validates the body with the declared schema (DRF's 400s). */
  body(): Promise<B>;
}

export interface OperationSpec<P extends readonly Permission[], B, C extends Classes = Classes> {
  summary: string;
  description?: string;
  /**
   * The authentication classes by DRF name; `default`:
   * `DEFAULT_AUTHENTICATION_CLASSES`; an empty list: none (simplejwt's views).
   */
  authentication: C;
  permissions: P;
  body?: BodySchema<B>;
  /** Media types of the body, when not every parsed type applies (the HTML form). */
  bodyTypes?: readonly string[];
  responses: Readonly<Record<number, ResponseSpec>>;
  handler(
    c: Context<AppEnv>,
    input: OperationInput<B, SignedIn<P>, IdentityOf<C>>,
  ): Response | Promise<Response>;
}

/** An operation with its handler's types erased, as routes hold them. */
export interface Operation extends Omit<OperationSpec<readonly Permission[], unknown>, 'handler'> {
  handler(
    c: Context<AppEnv>,
    input: OperationInput<unknown, boolean>,
  ): Response | Promise<Response>;
}

/**
 * Declares one method of a route. The permission list and the classes are
 * read at the type level: behind `IsAuthenticated` the handler's `auth` is
 * not null, and it is of a kind the declared classes yield.
 */
export function operation<
  const P extends readonly Permission[],
  const C extends Classes,
  B = never,
>(spec: OperationSpec<P, B, C>): Operation {
  return spec as unknown as Operation;
}

export interface RouteDeclaration {
  /** The path with the configured prefix, DRF-style with a trailing slash; `:id` for parameters. */
  path: string;
  /** The view's name (`OPTIONS` metadata, the document's `x-view-name`). */
  name: string;
  /** The document's tag: the route group. */
  tag: string;
  operations: Partial<Record<Method, Operation>>;
  /**
   * Pages for a browser: an error (even a 405 or a body that does not parse)
   * is rendered by this function as a page rather than JSON.
   */
  renderError?: (err: unknown, c: Context<AppEnv>) => Response | Promise<Response>;
}

/** The methods a route answers, `Allow` order. */
export function allowedMethods(route: RouteDeclaration): string[] {
  const declared = Object.keys(route.operations);
  const allowed = [...declared, ...(route.operations.GET ? ['HEAD'] : []), 'OPTIONS'];
  return ORDER.filter((method) => allowed.includes(method));
}

/** The path as Hono registers it: no trailing slash (the app is not strict about it). */
function honoPath(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

async function guard(c: Context<AppEnv>, op: Operation): Promise<Authentication | null> {
  await identify(c, op.authentication === 'default' ? undefined : op.authentication);
  await checkPermissions(c, op.permissions);
  return c.var.auth;
}

function run(op: Operation, allow: string) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const auth = await guard(c, op);
    const schema = op.body;
    const body = async () => (schema ? schema.parse(await readData(c)) : undefined);
    const response = await op.handler(c, { auth, body });
    response.headers.set('Allow', allow);
    return response;
  };
}

function fallback(route: RouteDeclaration, first: Operation, allow: string) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    await guard(c, first);
    const method = c.req.method.toUpperCase();
    if (method !== 'OPTIONS') {
      throw new ApiError('method_not_allowed', `Method "${method}" not allowed.`, {
        headers: { Allow: allow },
      });
    }
    const metadata = {
      name: route.name,
      description: '',
      renders: ['application/json'],
      parses: PARSED_MEDIA_TYPES,
    };
    return c.json(metadata, 200, { Allow: allow });
  };
}

function withErrors(route: RouteDeclaration, handler: (c: Context<AppEnv>) => Promise<Response>) {
  const render = route.renderError;
  if (!render) return handler;
  return async (c: Context<AppEnv>) => {
    try {
      return await handler(c);
    } catch (err) {
      return render(err, c);
    }
  };
}

/**
 * Registers every method of every route, then each route's 405 / `OPTIONS`
 * answer. The app must be made with `{ strict: false }`, as `createApp`
 * makes it: DRF's paths end in a slash, and clients send them either way.
 */
export function registerRoutes(app: Hono<AppEnv>, routes: readonly RouteDeclaration[]): void {
  for (const route of routes) {
    const entries = Object.entries(route.operations) as [Method, Operation][];
    if (entries.length === 0) throw new Error(`route ${route.path} declares no method`);
    const allow = allowedMethods(route).join(', ');
    const path = honoPath(route.path);
    for (const [method, op] of entries) {
      app.on(method, path, withErrors(route, run(op, allow)));
    }
    app.all(path, withErrors(route, fallback(route, entries[0]![1], allow)));
  }
}
