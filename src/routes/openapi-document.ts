/**
 * @module routes/openapi-document
 * The OpenAPI 3.1 document, generated from the route declarations and the
 * settings (prefixes, cookie and header names): every route and method, its
 * body and responses, DRF's error shapes, and the security schemes of the
 * authentication classes: the Bearer JWT, `Token` in `Authorization`, the
 * session cookie with its CSRF header, and Basic.
 */
import type { AuthConfig } from '../config';
import type { AuthenticationClassName } from '../config/settings';
import { PARSED_MEDIA_TYPES } from '../http/body';
import type { Permission } from '../permissions';
import type { JsonSchema } from '../validation/schema';
import type { Method, Operation, ResponseSpec, RouteDeclaration } from './declare';
import { COMPONENTS, HTML_PAGE, ref } from './responses';

type Requirement = Record<string, string[]>;

function securitySchemes(config: AuthConfig): Record<string, JsonSchema> {
  const [jwtScheme] = config.AUTH_HEADER_TYPES;
  const schemes: Record<string, JsonSchema> = {
    jwt:
      jwtScheme!.toLowerCase() === 'bearer'
        ? { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token.' }
        : {
            type: 'apiKey',
            in: 'header',
            name: 'Authorization',
            description: `\`${jwtScheme} <access token>\``,
          },
    token: {
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
      description: `An opaque token: \`${config.TOKEN_AUTH_KEYWORD} <key>\``,
    },
    session: {
      type: 'apiKey',
      in: 'cookie',
      name: config.SESSION_COOKIE_NAME,
      description: 'The session cookie set by a session login.',
    },
    csrf: {
      type: 'apiKey',
      in: 'header',
      name: config.CSRF_HEADER_NAME,
      description: `The \`${config.CSRF_COOKIE_NAME}\` cookie's value, echoed on unsafe methods sent with a cookie.`,
    },
    basic: { type: 'http', scheme: 'basic' },
  };
  if (config.JWT_AUTH_COOKIE !== undefined) {
    schemes.jwtCookie = {
      type: 'apiKey',
      in: 'cookie',
      name: config.JWT_AUTH_COOKIE,
      description: 'Cookie mode: the access token as a cookie.',
    };
  }
  return schemes;
}

const SAFE = new Set<Method>(['GET']);

function requirements(
  config: AuthConfig,
  method: Method,
  classes: readonly AuthenticationClassName[],
): Requirement[] {
  const csrf: Requirement = SAFE.has(method) ? {} : { csrf: [] };
  return classes.flatMap((name): Requirement[] => {
    switch (name) {
      case 'JWTAuthentication':
        return config.JWT_AUTH_COOKIE === undefined
          ? [{ jwt: [] }]
          : [{ jwt: [] }, { jwtCookie: [], ...csrf }];
      case 'TokenAuthentication':
        return [{ token: [] }];
      case 'SessionAuthentication':
        return [{ session: [], ...csrf }];
      case 'BasicAuthentication':
        return [{ basic: [] }];
    }
  });
}

function requiresIdentity(permissions: readonly Permission[]): boolean {
  return permissions.some((permission) => 'requiresAuthentication' in permission);
}

function classesOf(config: AuthConfig, op: Operation): readonly AuthenticationClassName[] {
  return op.authentication === 'default'
    ? config.DEFAULT_AUTHENTICATION_CLASSES
    : op.authentication;
}

/**
 * Whether a refused credential is a 401: DRF answers 401 only when the
 * view's first authentication class has a `WWW-Authenticate` challenge, and
 * `SessionAuthentication` has none, so behind it the refusal is a 403.
 */
function challenges(classes: readonly AuthenticationClassName[]): boolean {
  return classes.length > 0 && classes[0] !== 'SessionAuthentication';
}

function security(config: AuthConfig, method: Method, op: Operation): Requirement[] {
  const alternatives = requirements(config, method, classesOf(config, op));
  // `{}`: the operation also serves anonymous requests.
  return requiresIdentity(op.permissions) ? alternatives : [...alternatives, {}];
}

function content(type: string, schema: JsonSchema) {
  return { [type]: { schema } };
}

function response(spec: ResponseSpec): JsonSchema {
  const out: JsonSchema = { description: spec.description };
  if (spec.json) out.content = content('application/json', spec.json);
  if (spec.content) out.content = content(spec.content.type, spec.content.schema);
  if (spec.headers) {
    out.headers = Object.fromEntries(
      Object.entries(spec.headers).map(([name, description]) => [
        name,
        { description, schema: { type: 'string' } },
      ]),
    );
  }
  return out;
}

/**
 * Whether an unsafe request may meet the CSRF check (a session, or the JWT
 * cookie in cookie mode), which reads a form body for `csrfmiddlewaretoken`:
 * then a form that does not parse, or is too large, is answered even on a
 * route that reads no body of its own.
 */
function readsCsrfForm(
  config: AuthConfig,
  method: Method,
  classes: readonly AuthenticationClassName[],
): boolean {
  if (SAFE.has(method)) return false;
  const jwtCookie = config.JWT_AUTH_COOKIE !== undefined && classes.includes('JWTAuthentication');
  return jwtCookie || classes.includes('SessionAuthentication');
}

type ErrorSpec = (description: string, headers?: Record<string, string>) => ResponseSpec;

/** The answers to a body that cannot be read: from the route's own schema, or the CSRF check. */
function bodyErrors(op: Operation, csrf: boolean, pages: boolean, error: ErrorSpec) {
  const errors: Record<number, ResponseSpec> = {};
  if (op.body) {
    errors[400] = pages
      ? error('The body does not parse.')
      : { description: 'Invalid input.', json: { anyOf: [ref('ValidationError'), ref('Error')] } };
    errors[415] = error('The body is of a media type the route does not parse.');
  } else if (csrf) {
    errors[400] = error('A form body does not parse (the CSRF check reads its token from it).');
  }
  if (op.body || csrf) {
    errors[413] = error('The body is larger than `DATA_UPLOAD_MAX_MEMORY_SIZE`.');
  }
  return errors;
}

/** The errors any operation may answer, unless it declares its own for that status. */
function defaultErrors(
  config: AuthConfig,
  method: Method,
  op: Operation,
  pages: boolean,
): Record<number, ResponseSpec> {
  const classes = classesOf(config, op);
  const error: ErrorSpec = (description, headers) =>
    pages
      ? {
          description,
          content: { type: 'text/html', schema: HTML_PAGE },
          ...(headers && { headers }),
        }
      : { description, json: ref('Error'), ...(headers && { headers }) };
  const errors = bodyErrors(op, readsCsrfForm(config, method, classes), pages, error);
  if (challenges(classes)) {
    errors[401] = error('Bad credentials, or none where the route needs them.', {
      'WWW-Authenticate': "The first authentication class's challenge.",
    });
  }
  if (classes.length > 0) {
    errors[403] = error('Not allowed (or bad credentials, for a class without a challenge).');
  }
  errors[503] = error('Storage is unavailable (the request failed closed).', {
    'Retry-After': 'Seconds to wait before trying again.',
  });
  return errors;
}

function operationObject(
  config: AuthConfig,
  route: RouteDeclaration,
  method: Method,
  op: Operation,
): JsonSchema {
  const params = [...route.path.matchAll(/:(\w+)/g)].map((match) => ({
    name: match[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const pages = route.renderError !== undefined;
  const responses = { ...defaultErrors(config, method, op, pages), ...op.responses };
  const out: JsonSchema = {
    summary: op.summary,
    tags: [route.tag],
    'x-view-name': route.name,
    security: security(config, method, op),
    responses: Object.fromEntries(
      Object.entries(responses).map(([status, spec]) => [status, response(spec)]),
    ),
  };
  if (op.description) out.description = op.description;
  if (params.length > 0) out.parameters = params;
  if (op.body) {
    const types = op.bodyTypes ?? PARSED_MEDIA_TYPES;
    out.requestBody = {
      required: Array.isArray(op.body.jsonSchema.required),
      content: Object.fromEntries(types.map((type) => [type, { schema: op.body!.jsonSchema }])),
    };
  }
  return out;
}

/**
 * `get_api_tokens_id` for `GET /api/tokens/:id/`: the method, then each path
 * segment with its punctuation dropped, so that `/api-auth/login/` and
 * `/api/auth/login/` stay apart (`post_apiauth_login`, `post_api_auth_login`).
 */
function operationIdOf(method: Method, path: string): string {
  const segments = path.split('/').map((segment) => segment.replace(/[^A-Za-z0-9]+/g, ''));
  return [method.toLowerCase(), ...segments.filter(Boolean)].join('_');
}

/** Unique `operationId`s (OpenAPI requires it): a clash left by odd prefixes gets `_2`, `_3`, .... */
function uniqueId(taken: Set<string>, id: string): string {
  let unique = id;
  for (let n = 2; taken.has(unique); n++) unique = `${id}_${n}`;
  taken.add(unique);
  return unique;
}

/** `/api/tokens/:id/` → `/api/tokens/{id}/`. */
export function openApiPath(path: string): string {
  return path.replace(/:(\w+)/g, '{$1}');
}

export function openApiDocument(
  config: AuthConfig,
  routes: readonly RouteDeclaration[],
  version: string,
): JsonSchema {
  const paths: Record<string, JsonSchema> = {};
  const tags = new Set<string>();
  const ids = new Set<string>();
  for (const route of routes) {
    tags.add(route.tag);
    const item: JsonSchema = {};
    for (const [method, op] of Object.entries(route.operations) as [Method, Operation][]) {
      const operationId = uniqueId(ids, operationIdOf(method, route.path));
      item[method.toLowerCase()] = { operationId, ...operationObject(config, route, method, op) };
    }
    paths[openApiPath(route.path)] = item;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'edgeauth',
      version,
      description:
        "Django REST Framework's session, token and JWT authentication at the edge. " +
        'Errors are DRF-shaped: `{"detail", "code"}`, or field errors `{"field": ["message"]}`.',
    },
    tags: [...tags].map((name) => ({ name })),
    paths,
    components: { schemas: COMPONENTS, securitySchemes: securitySchemes(config) },
  };
}
