/**
 * @module http/errors
 * `app.onError` and `app.notFound`: every error leaves as a DRF-shaped JSON
 * body. Server-side problems are logged with the request's `cf-ray` id and
 * never described to the client.
 */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { routeChallenge } from '../auth/authenticate';
import { environmentOf } from '../config';
import type { AppEnv } from '../env';
import { AuthError, toErrorAnswer } from '../errors';

function fromHono(err: HTTPException): AuthError | Error {
  if (err.status >= 500) return err;
  return new AuthError('parse_error', err.message || 'Bad request.', { status: err.status });
}

export const onError: ErrorHandler<AppEnv> = (err, c) => {
  const thrown = err instanceof HTTPException ? fromHono(err) : err;
  // The settings, or when they did not parse (edgeauthFromEnv), the raw ENVIRONMENT.
  const environment =
    c.var.edgeauth?.config.ENVIRONMENT ??
    environmentOf(c.env as unknown as Record<string, unknown>);
  const development = environment === 'development';
  const answer = toErrorAnswer(thrown, routeChallenge(c as Context<AppEnv>), development);
  if (answer.log) {
    const ray = c.req.header('cf-ray') ?? '-';
    console.error(`edgeauth ${c.req.method} ${c.req.routePath} ray=${ray}: ${answer.log}`);
  }
  return c.json(answer.body, answer.status as 400, answer.headers);
};

export const notFound: NotFoundHandler<AppEnv> = (c) =>
  c.json({ detail: 'Not found.', code: 'not_found' }, 404);
