/**
 * @module http/endpoint
 * Method dispatch the way a DRF `APIView` does it: authentication and
 * permissions run first (as middleware before this handler), then the
 * method's handler; `HEAD` is `GET` without a body, `OPTIONS` answers the
 * view's metadata, and any other method is a 405 with `Allow`.
 */
import type { Context, Handler } from 'hono';
import type { AppEnv } from '../env';
import { AuthError } from '../errors';
import { PARSED_MEDIA_TYPES } from './body';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type MethodHandler = (c: Context<AppEnv>) => Response | Promise<Response>;

/** Django's `http_method_names` order, which DRF's `Allow` follows. */
const ORDER = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

export interface EndpointOptions {
  /** The view's name in `OPTIONS` metadata. */
  name: string;
}

/**
 * @example
 * app.all('/api/me/', authenticate(), requirePermission(IsAuthenticated),
 *   endpoint({ name: 'Me' }, { GET: showMe, PATCH: updateMe }));
 */
export function endpoint(
  options: EndpointOptions,
  handlers: Partial<Record<Method, MethodHandler>>,
): Handler<AppEnv> {
  const methods = Object.keys(handlers) as Method[];
  if (methods.length === 0) throw new Error('endpoint(): give at least one method handler');
  const allowed = [...methods, ...(handlers.GET ? ['HEAD'] : []), 'OPTIONS'];
  const allow = ORDER.filter((method) => allowed.includes(method)).join(', ');

  return async function endpoint(c) {
    const method = c.req.method.toUpperCase();
    let response: Response;
    if (method === 'OPTIONS') {
      response = c.json({
        name: options.name,
        description: '',
        renders: ['application/json'],
        parses: PARSED_MEDIA_TYPES,
      });
    } else {
      const handler = handlers[(method === 'HEAD' ? 'GET' : method) as Method];
      if (!handler) {
        throw new AuthError('method_not_allowed', `Method "${method}" not allowed.`, {
          headers: { Allow: allow },
        });
      }
      response = await handler(c);
      if (method === 'HEAD') response = new Response(null, response);
    }
    response.headers.set('Allow', allow);
    return response;
  };
}
