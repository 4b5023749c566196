/**
 * @module http/errors
 * `app.onError` and `app.notFound`: every error leaves as a DRF-shaped JSON
 * body (the HTML login pages render the same answer as a page, `errorAnswer`).
 * Server-side problems are logged with the request's `cf-ray` id and never
 * described to the client.
 */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { environmentOf } from '../config';
import type { AppEnv } from '../env';
import { ApiError, toErrorAnswer, type ErrorAnswer } from '../errors';

function fromHono(err: HTTPException): ApiError | Error {
  if (err.status >= 500) return err;
  return new ApiError('parse_error', err.message || 'Bad request.', { status: err.status });
}

/**
 * The answer for `err` on this request (status, DRF body, headers), with the
 * server-side problem it hides logged under the request's `cf-ray` id.
 */
export function errorAnswer(err: unknown, c: Context<AppEnv>): ErrorAnswer {
  const thrown = err instanceof HTTPException ? fromHono(err) : err;
  // The settings, or when they did not parse (edgeauthFromEnv), the raw ENVIRONMENT.
  const environment =
    c.var.edgeauth?.config.ENVIRONMENT ??
    environmentOf(c.env as unknown as Record<string, unknown>);
  const development = environment === 'development';
  // DRF's rule: the `WWW-Authenticate` of the route's first authentication class, if any.
  const challenge = c.var.authenticators?.[0]?.challenge?.();
  const answer = toErrorAnswer(thrown, challenge, development);
  if (answer.log) {
    const ray = c.req.header('cf-ray') ?? '-';
    console.error(`edgeauth ${c.req.method} ${c.req.routePath} ray=${ray}: ${answer.log}`);
  }
  return answer;
}

export const onError: ErrorHandler<AppEnv> = (err, c) => {
  const answer = errorAnswer(err, c as Context<AppEnv>);
  return c.json(answer.body, answer.status as 400, answer.headers);
};

export const notFound: NotFoundHandler<AppEnv> = (c) =>
  c.json({ detail: 'Not found.', code: 'not_found' }, 404);
