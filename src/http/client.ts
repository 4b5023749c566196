/**
 * @module http/client
 * What a login records about the client: its user agent, and its address
 * from `CF-Connecting-IP` only (other headers can be set by the client).
 */
import type { Context } from 'hono';

export interface ClientInfo {
  userAgent: string | null;
  ip: string | null;
}

export function clientDetails(c: Context): ClientInfo {
  const ip = c.req.header('CF-Connecting-IP');
  return {
    userAgent: c.req.header('User-Agent') ?? null,
    ip: ip !== undefined && /^[0-9A-Fa-f:.]{2,45}$/.test(ip) ? ip : null,
  };
}
