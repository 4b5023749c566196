/**
 * @module routes/responses
 * The response bodies the declared routes promise, as JSON Schema: the
 * OpenAPI document's `components.schemas`, and short helpers the
 * declarations use to refer to them.
 */
import type { JsonSchema } from '../validation/schema';
import type { ResponseSpec } from './declare';

const str = { type: 'string' } as const;
const time = { type: 'string', format: 'date-time' } as const;
const nullable = (schema: JsonSchema): JsonSchema => ({ anyOf: [schema, { type: 'null' }] });

export const COMPONENTS: Readonly<Record<string, JsonSchema>> = {
  Error: {
    type: 'object',
    description: "DRF's error body: a message and a machine-readable code.",
    properties: { detail: str, code: str },
    required: ['detail', 'code'],
  },
  TokenError: {
    type: 'object',
    description: "simplejwt's answer for a token that does not validate.",
    properties: {
      detail: str,
      code: { const: 'token_not_valid' },
      messages: {
        type: 'array',
        items: {
          type: 'object',
          properties: { token_class: str, token_type: str, message: str },
        },
      },
    },
    required: ['detail', 'code'],
  },
  ValidationError: {
    type: 'object',
    description:
      "DRF's serializer errors: each field (or `non_field_errors`) with its list of messages.",
    additionalProperties: { type: 'array', items: str },
  },
  User: {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      username: str,
      email: str,
      email_verified: {
        type: 'boolean',
        description: 'The address was confirmed through a mail sent to it.',
      },
    },
    required: ['id', 'username', 'email', 'email_verified'],
  },
  TokenPair: {
    type: 'object',
    properties: { refresh: str, access: str },
    required: ['refresh', 'access'],
  },
  Refreshed: {
    type: 'object',
    description: 'A new access token; with rotation on, a new refresh token too.',
    properties: { access: str, refresh: str },
    required: ['access'],
  },
  AuthToken: { type: 'object', properties: { token: str }, required: ['token'] },
  ApiToken: {
    type: 'object',
    properties: {
      id: str,
      name: str,
      created: time,
      expires: nullable(time),
      last_used: nullable(time),
      scopes: nullable({ type: 'array', items: str }),
      created_via: { enum: ['api-token-auth', 'api', 'import'] },
      current: { type: 'boolean', description: 'The token this request authenticated with.' },
    },
    required: ['id', 'name', 'created', 'expires', 'last_used', 'scopes', 'created_via'],
  },
  Session: {
    type: 'object',
    properties: {
      id: str,
      created: time,
      last_seen: time,
      expires: time,
      user_agent: nullable(str),
      ip: nullable(str),
      current: { type: 'boolean' },
    },
    required: ['id', 'created', 'last_seen', 'expires', 'user_agent', 'ip', 'current'],
  },
  AdminUser: {
    type: 'object',
    description: 'An account as the admin API shows it.',
    properties: {
      id: { type: 'integer' },
      username: str,
      email: str,
      is_active: { type: 'boolean' },
      is_staff: { type: 'boolean' },
      is_superuser: { type: 'boolean' },
      date_joined: time,
      last_login: nullable(time),
      email_verified: { type: 'boolean' },
    },
    required: [
      'id',
      'username',
      'email',
      'is_active',
      'is_staff',
      'is_superuser',
      'date_joined',
      'last_login',
      'email_verified',
    ],
  },
  AdminUserPage: {
    type: 'object',
    description: "DRF's `PageNumberPagination`: absolute links to the next and previous pages.",
    properties: {
      count: { type: 'integer' },
      next: nullable({ type: 'string', format: 'uri' }),
      previous: nullable({ type: 'string', format: 'uri' }),
      results: { type: 'array', items: { $ref: '#/components/schemas/AdminUser' } },
    },
    required: ['count', 'next', 'previous', 'results'],
  },
  Detail: { type: 'object', properties: { detail: str }, required: ['detail'] },
  Empty: { type: 'object', additionalProperties: false },
};

/** A reference to one of the {@link COMPONENTS}. */
export function ref(name: keyof typeof COMPONENTS & string): JsonSchema {
  return { $ref: `#/components/schemas/${name}` };
}

export function json(description: string, schema: JsonSchema): ResponseSpec {
  return { description, json: schema };
}

export const NO_CONTENT: ResponseSpec = { description: 'Done; no body.' };

export const VALIDATION_ERROR = json('A field is missing or invalid, or the body does not parse.', {
  anyOf: [ref('ValidationError'), ref('Error')],
});

export const NOT_FOUND = json('No such resource (or another user’s).', ref('Error'));

export const HTML_PAGE: JsonSchema = { type: 'string', contentMediaType: 'text/html' };

export function page(description: string): ResponseSpec {
  return { description, content: { type: 'text/html', schema: HTML_PAGE } };
}

export function redirect(description: string): ResponseSpec {
  return { description, headers: { Location: 'Where the browser goes next.' } };
}
