/**
 * @module fuzz/oracle
 * What every answer must satisfy, whatever the request:
 *
 * - a status below 500 (but the documented 503 of a route that needs mail,
 *   on a target without a mail backend);
 * - no secret the request carried comes back, in a header or the body, not
 *   even ten characters of it (a parser error that quotes its input is the
 *   usual way to leak); the server's own keys never appear at all;
 * - a protected file goes only to a request that presented a real credential;
 * - the shape its kind of route promises: DRF's JSON errors on API routes, an
 *   HTML page on the HTML routes unless it is a redirect, HTML, CSS or
 *   JavaScript from the docs page, stylesheets and script on `GET`, a
 *   same-site redirect, a file or a DRF error on the gate; 401 with `WWW-Authenticate`,
 *   405 with `Allow`, `HEAD` with an empty body.
 */
import appIndex from '../../public/app/index.html?raw';
import appReport from '../../public/app/report.html?raw';
import type { TargetName } from './model';
import { ORIGIN } from './resolve';
import { WITHOUT_MAIL, isGated, routeOf, type RouteKind } from './routes';
import { PUBLIC_PAGE } from './targets';

/** The production 503 of a flow that needs mail when no backend is configured. */
const MISCONFIGURED = 'The service is misconfigured; see the server log.';

/** Characters of a secret that, found together in an answer, count as an echo. */
export const ECHO_WINDOW = 10;

export interface Answer {
  status: number;
  headers: Headers;
  body: string;
}

export interface Exchange {
  target: TargetName;
  request: Request;
  secrets: readonly string[];
  serverSecrets: readonly string[];
  credentialed: boolean;
  answer: Answer;
}

const JSON_TYPE = /^application\/([\w.+-]+\+)?json(\s*;|$)/i;

function headerText(headers: Headers): string {
  return [...headers].map(([name, value]) => `${name}: ${value}`).join('\n');
}

/** The first `ECHO_WINDOW` characters of `secret` found in `text`, if any. */
export function echoOf(secret: string, text: string): string | undefined {
  const size = Math.min(ECHO_WINDOW, secret.length);
  for (let i = 0; i + size <= secret.length; i++) {
    const window = secret.slice(i, i + size);
    if (text.includes(window)) return window;
  }
  return undefined;
}

function leaks(x: Exchange): string[] {
  const out: string[] = [];
  const places = { headers: headerText(x.answer.headers), body: x.answer.body };
  for (const [place, text] of Object.entries(places)) {
    for (const secret of x.secrets) {
      const echo = echoOf(secret, text);
      if (echo) out.push(`the ${place} echo a secret of the request (${JSON.stringify(echo)})`);
    }
    for (const secret of x.serverSecrets) {
      if (text.includes(secret)) out.push(`the ${place} contain a server secret`);
    }
  }
  return out;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** DRF's error bodies: `{detail, code}` (simplejwt's `messages` allowed), or field errors. */
export function isDrfError(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const body = value as Record<string, unknown>;
  if ('detail' in body) {
    const extra = Object.keys(body).filter((key) => !['detail', 'code', 'messages'].includes(key));
    return (
      typeof body.detail === 'string' &&
      typeof body.code === 'string' &&
      extra.length === 0 &&
      (body.messages === undefined || Array.isArray(body.messages))
    );
  }
  const fields = Object.values(body);
  return (
    fields.length > 0 &&
    fields.every(
      (messages) =>
        Array.isArray(messages) &&
        messages.length > 0 &&
        messages.every((message) => typeof message === 'string'),
    )
  );
}

function isSameSite(location: string | null): boolean {
  if (location === null || location.startsWith('//') || location.startsWith('/\\')) return false;
  try {
    return new URL(location, ORIGIN).origin === ORIGIN;
  } catch {
    return false;
  }
}

function jsonError(x: Exchange, head: boolean): string[] {
  const { answer } = x;
  const type = answer.headers.get('Content-Type') ?? '';
  if (!JSON_TYPE.test(type))
    return [`a ${answer.status} on an API route is ${type || 'untyped'}, not JSON`];
  if (head) return [];
  return isDrfError(parseJson(answer.body))
    ? []
    : [`a ${answer.status} body is not DRF's error shape`];
}

function apiShape(x: Exchange, head: boolean): string[] {
  const { status, headers, body } = x.answer;
  if (status >= 400) return jsonError(x, head);
  if (status >= 300) return [`an API route answered a redirect (${status})`];
  if (status === 204) return body === '' ? [] : ['a 204 has a body'];
  if (!JSON_TYPE.test(headers.get('Content-Type') ?? ''))
    return [`a ${status} on an API route is not JSON`];
  return head || parseJson(body) !== undefined ? [] : [`a ${status} body is not JSON`];
}

function htmlShape(x: Exchange, method: string, head: boolean): string[] {
  const { status, headers } = x.answer;
  if (status >= 300 && status < 400) {
    return status === 302 && isSameSite(headers.get('Location'))
      ? []
      : [`an HTML route redirected with ${status} to ${headers.get('Location')}`];
  }
  // DRF's view metadata (http/endpoint.ts) is JSON on every route; errors, 405 included, are pages.
  if (method === 'OPTIONS' && status === 200) return apiShape(x, head);
  const type = headers.get('Content-Type') ?? '';
  return /^text\/html(\s*;|$)/i.test(type)
    ? []
    : [`a ${status} on an HTML route is ${type || 'untyped'}`];
}

function gateShape(x: Exchange, head: boolean): string[] {
  const { status, headers } = x.answer;
  if (status >= 300 && status < 400 && status !== 304) {
    return isSameSite(headers.get('Location'))
      ? []
      : [`the gate redirected to ${headers.get('Location')}`];
  }
  const fromAssets = (headers.get('Cache-Control') ?? '').includes('private');
  if (status < 400 || (status === 404 && fromAssets)) {
    const url = new URL(x.request.url);
    const publicPage =
      x.target === 'cookie-es256' && url.pathname.startsWith(PUBLIC_PAGE.replace('.html', ''));
    return fromAssets || publicPage
      ? []
      : [`the gate served a ${status} without Cache-Control: private`];
  }
  return jsonError(x, head);
}

function protectedContent(x: Exchange): string[] {
  if (x.credentialed) return [];
  const pages = x.target === 'cookie-es256' ? [appIndex] : [appIndex, appReport];
  return pages.some((page) => x.answer.body.includes(page.trim()))
    ? ['a protected page went to a request without a credential']
    : [];
}

/** What a 200 to `GET` or `HEAD` is on the routes that serve something other than JSON. */
const CONTENT_TYPES: Partial<Record<RouteKind, RegExp>> = {
  page: /^text\/html(\s*;|$)/i,
  stylesheet: /^text\/css(\s*;|$)/i,
  script: /^text\/javascript(\s*;|$)/i,
};

function shape(x: Exchange): string[] {
  const url = new URL(x.request.url);
  const method = x.request.method.toUpperCase();
  const head = method === 'HEAD';
  if (isGated(url, method)) return gateShape(x, head);
  const kind = routeOf(url)?.kind ?? 'api';
  if (kind === 'html') return htmlShape(x, method, head);
  const type = CONTENT_TYPES[kind];
  if (type && (method === 'GET' || head) && x.answer.status === 200) {
    const answered = x.answer.headers.get('Content-Type') ?? '';
    return type.test(answered) ? [] : [`a ${kind} answered ${answered || 'untyped'}`];
  }
  return apiShape(x, head);
}

/**
 * The documented 503 of a route that needs mail, on a target without a mail
 * backend: the configuration error, as JSON or as a page.
 */
function noMailBackend(x: Exchange): boolean {
  if (x.answer.status !== 503 || !WITHOUT_MAIL.has(x.target)) return false;
  if (!routeOf(new URL(x.request.url))?.mail) return false;
  if (x.request.method.toUpperCase() === 'HEAD') return true;
  return x.answer.body.includes(MISCONFIGURED);
}

function protocol(x: Exchange): string[] {
  const { status, headers, body } = x.answer;
  const method = x.request.method.toUpperCase();
  const out: string[] = [];
  if (status >= 500 && !noMailBackend(x)) out.push(`status ${status}`);
  if (method === 'HEAD' && body !== '') out.push('a HEAD answer has a body');
  if (status === 401 && !headers.get('WWW-Authenticate'))
    out.push('a 401 without WWW-Authenticate');
  if (status === 405) {
    const allow = (headers.get('Allow') ?? '').split(',').map((m) => m.trim());
    if (allow.length === 0 || allow[0] === '' || allow.includes(method)) {
      out.push(`a 405 with Allow: ${headers.get('Allow')}`);
    }
  }
  return out;
}

/** Every property the answer breaks; empty when it keeps them all. */
export function violations(x: Exchange): string[] {
  return [...protocol(x), ...leaks(x), ...protectedContent(x), ...shape(x)];
}
