/**
 * @module http/body
 * Request bodies the way DRF's default parsers read them: JSON, URL-encoded
 * forms and multipart forms, each into a plain object of fields. Bodies over
 * `DATA_UPLOAD_MAX_MEMORY_SIZE` are refused before they are parsed. Every
 * body is strict UTF-8 (JSON without a byte order mark, as Python's `json`
 * requires); anything else is a 400 `parse_error`. Every route reads its body
 * here, through {@link readData}.
 */
import type { Context } from 'hono';
import { Utf8Error, decodeUtf8 } from '../crypto/encoding';
import type { AppEnv } from '../env';
import { ApiError, ValidationError } from '../errors';
import { parseMultipart, parseUrlEncoded } from './forms';

export type RequestData = Readonly<Record<string, unknown>>;

/** Media types the API accepts, for `OPTIONS` metadata and 415 answers. */
export const PARSED_MEDIA_TYPES = [
  'application/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
] as const;

function tooLarge(limit: number): ApiError {
  return new ApiError('request_too_large', `Request body exceeded ${limit} bytes.`);
}

async function readLimited(request: Request, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = request.headers.get('Content-Length');
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** Python's type names, for DRF's "Expected a dictionary, but got list." */
function pythonTypeName(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return 'dict';
}

/** Python's text for a JSON document that starts with a byte order mark. */
const JSON_BOM = 'Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)';

/**
 * The parser's reason, without the body. V8 quotes the input around an
 * unexpected token (`Unexpected token 'h', "password=hunter2" is not valid
 * JSON`), all of it when it is short, and a body is where passwords are: such
 * messages, and any other engine's that quote the input, are cut to their
 * kind. The rest (`... in JSON at position 7`) say where, never what.
 */
function jsonErrorReason(err: SyntaxError): string {
  const { message } = err;
  if (message.startsWith('Unexpected token')) return 'Unexpected token';
  if (message.endsWith('is not valid JSON') || message.includes('"')) return 'Invalid JSON';
  return message;
}

function parseJson(bytes: Uint8Array): RequestData {
  let value: unknown;
  try {
    const text = decodeUtf8(bytes);
    if (text.startsWith('\uFEFF')) throw new SyntaxError(JSON_BOM);
    value = JSON.parse(text);
  } catch (err) {
    if (err instanceof Utf8Error)
      throw new ApiError('parse_error', `JSON parse error - ${err.message}`);
    if (!(err instanceof SyntaxError)) throw err;
    const reason = err.message === JSON_BOM ? JSON_BOM : jsonErrorReason(err);
    throw new ApiError('parse_error', `JSON parse error - ${reason}`);
  }
  if (value === null) throw ValidationError.nonField('No data provided');
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw ValidationError.nonField(
      `Invalid data. Expected a dictionary, but got ${pythonTypeName(value)}.`,
    );
  }
  return value as RequestData;
}

/**
 * Fields by name, the last value winning as in Django's `QueryDict`. Own
 * properties even for a name such as `__proto__`, which must not become the
 * object's prototype.
 */
function fromEntries(entries: Iterable<[string, unknown]>): RequestData {
  const data: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    Object.defineProperty(data, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return data;
}

const DATA_KEY = Symbol('edgeauth.requestData');

/**
 * The request's fields. Memoised per request, so middleware and handler can
 * both ask. An empty body is `{}` whatever its type.
 *
 * @throws ApiError `parse_error` (400), `unsupported_media_type` (415), `request_too_large` (413)
 * @throws ValidationError when JSON is not an object
 */
export async function readData(c: Context<AppEnv>): Promise<RequestData> {
  const cache = c.req.raw as Request & { [DATA_KEY]?: Promise<RequestData> };
  cache[DATA_KEY] ??= parse(c);
  return cache[DATA_KEY];
}

async function parse(c: Context<AppEnv>): Promise<RequestData> {
  const limit = c.var.edgeauth.config.DATA_UPLOAD_MAX_MEMORY_SIZE;
  const bytes = await readLimited(c.req.raw, limit);
  if (bytes.length === 0) return {};
  const contentType = c.req.header('Content-Type') ?? '';
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  if (mediaType === 'application/json' || /^application\/[\w.+-]+\+json$/.test(mediaType)) {
    return parseJson(bytes);
  }
  if (mediaType === 'application/x-www-form-urlencoded') {
    return fromEntries(parseUrlEncoded(bytes));
  }
  if (mediaType === 'multipart/form-data') return fromEntries(parseMultipart(bytes, contentType));
  throw new ApiError(
    'unsupported_media_type',
    `Unsupported media type "${contentType.slice(0, 100)}" in request.`,
  );
}
