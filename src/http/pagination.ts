/**
 * @module http/pagination
 * DRF's `PageNumberPagination`: `?page=` (a number, or `last`), pages of
 * `PAGE_SIZE`, and the `{"count", "next", "previous", "results"}` body whose
 * links are absolute URLs built as DRF builds them: the request's URL with
 * `page` replaced (removed for page 1), every other query parameter kept,
 * sorted by name, and encoded as Python's `urlencode` encodes them.
 *
 * A page that is not a number, below 1 or past the last page is DRF's 404
 * `{"detail": "Invalid page."}`. The first page always exists, even empty.
 *
 * @example
 * const page = await paginate(c, config.PAGE_SIZE, {
 *   count: () => services.admin.count(terms),
 *   slice: async (limit, offset) => {
 *     const { count, users } = await services.admin.list(terms, limit, offset);
 *     return { count, items: users.map(adminUser) };
 *   },
 * });
 * return c.json(page);
 */
import type { Context } from 'hono';
import { ApiError } from '../errors';

export const PAGE_PARAM = 'page';

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export interface PageSource<T> {
  /** The total, alone (only `?page=last` needs it before the slice). */
  count(): Promise<number>;
  /** `limit` items from `offset`, and the total, in one round trip. */
  slice(limit: number, offset: number): Promise<{ count: number; items: T[] }>;
}

function invalidPage(): ApiError {
  return new ApiError('not_found', 'Invalid page.');
}

/** Django's `Paginator.num_pages` with `allow_empty_first_page`: at least 1. */
export function pageCount(count: number, pageSize: number): number {
  return Math.max(1, Math.ceil(count / pageSize));
}

/**
 * `?page=` as DRF reads it: the last value given; absent or empty: 1; `last`;
 * otherwise Python's `int()` (surrounding whitespace, a sign, `_` between
 * digits).
 */
export function requestedPage(url: URL): number | 'last' {
  const raw = url.searchParams.getAll(PAGE_PARAM).at(-1);
  if (raw === undefined || raw === '') return 1;
  if (raw === 'last') return 'last';
  const digits = raw.trim();
  if (!/^[+-]?[0-9]+(?:_[0-9]+)*$/.test(digits)) throw invalidPage();
  return Number(digits.replace(/_/g, ''));
}

/** Python's `quote_plus` with `safe=''`: only letters, digits and `_.-~` stay as they are. */
function quotePlus(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Python's order of `str`: by code point (JavaScript's `<` compares UTF-16 units). */
function byCodePoint(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i]! - y[i]!;
  }
  return x.length - y.length;
}

/**
 * DRF's `replace_query_param` (a page) and `remove_query_param` (null):
 * `parse_qs` with blank values kept, then `urlencode(sorted(...), doseq=True)`.
 */
export function pageLink(url: URL, page: number | null): string {
  const params = new Map<string, string[]>();
  for (const [name, value] of url.searchParams) {
    const values = params.get(name) ?? [];
    values.push(value);
    params.set(name, values);
  }
  if (page === null) params.delete(PAGE_PARAM);
  else params.set(PAGE_PARAM, [String(page)]);
  const query = [...params.keys()]
    .sort(byCodePoint)
    .flatMap((name) => params.get(name)!.map((value) => `${quotePlus(name)}=${quotePlus(value)}`))
    .join('&');
  return `${url.protocol}//${url.host}${url.pathname}${query === '' ? '' : `?${query}`}`;
}

/** One page of `source` for this request, in DRF's body; throws the 404 of an invalid page. */
export async function paginate<T>(
  c: Context,
  pageSize: number,
  source: PageSource<T>,
): Promise<Page<T>> {
  const url = new URL(c.req.url);
  const requested = requestedPage(url);
  const page = requested === 'last' ? pageCount(await source.count(), pageSize) : requested;
  const offset = (page - 1) * pageSize;
  if (page < 1 || !Number.isSafeInteger(offset)) throw invalidPage();
  const { count, items } = await source.slice(pageSize, offset);
  const last = pageCount(count, pageSize);
  if (page > last) throw invalidPage();
  return {
    count,
    next: page < last ? pageLink(url, page + 1) : null,
    previous: page > 1 ? pageLink(url, page === 2 ? null : page - 1) : null,
    results: items,
  };
}
