/**
 * @module auth/header
 * The `Authorization` header split the way DRF splits it
 * (`get_authorization_header(request).split()`).
 */
import type { Context } from 'hono';

/** The header's whitespace-separated parts; empty when absent or blank. */
export function authorizationParts(c: Context): string[] {
  const header = c.req.header('Authorization') ?? '';
  return header.split(/[ \t\n\r\v\f]+/).filter((part) => part !== '');
}
