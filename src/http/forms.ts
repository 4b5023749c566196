/**
 * @module http/forms
 * Form bodies, `application/x-www-form-urlencoded` and `multipart/form-data`
 * (RFC 7578), read into `[name, value]` entries with every name and value
 * decoded as strict UTF-8. Django decodes what is not UTF-8 as Latin-1 or
 * with U+FFFD; here it is a 400 `parse_error` with the text Python's codec
 * gives, so one submitted byte string never turns into different text.
 *
 * The multipart reader is our own because `Request.formData()` replaces bad
 * UTF-8 with U+FFFD, which cannot be told apart from a real U+FFFD afterwards.
 */
import { Utf8Error, decodeUtf8 } from '../crypto/encoding';
import { ApiError } from '../errors';

export type FormEntry = [name: string, value: string | File];

function decodeOrFail(bytes: Uint8Array, prefix: string): string {
  try {
    return decodeUtf8(bytes);
  } catch (err) {
    if (err instanceof Utf8Error) throw new ApiError('parse_error', `${prefix}${err.message}`);
    throw err;
  }
}

const FORM_ERROR = 'Form parse error - ';
const encoder = new TextEncoder();

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

/** WHATWG's percent-decode on bytes, `+` as a space; malformed escapes stay as they are. */
function percentDecode(text: string): Uint8Array {
  const bytes = encoder.encode(text);
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    const high = byte === 0x25 && i + 2 < bytes.length ? hexValue(bytes[i + 1]!) : -1;
    const low = high >= 0 ? hexValue(bytes[i + 2]!) : -1;
    if (low >= 0) {
      out[n++] = high * 16 + low;
      i += 2;
    } else {
      out[n++] = byte === 0x2b ? 0x20 : byte;
    }
  }
  return out.subarray(0, n);
}

/**
 * `application/x-www-form-urlencoded`, as `URLSearchParams` splits it, but
 * the body and then each percent-decoded name and value must be UTF-8.
 */
export function parseUrlEncoded(body: Uint8Array): FormEntry[] {
  const text = decodeOrFail(body, FORM_ERROR);
  const entries: FormEntry[] = [];
  for (const sequence of text.split('&')) {
    if (sequence === '') continue;
    const equals = sequence.indexOf('=');
    const name = equals < 0 ? sequence : sequence.slice(0, equals);
    const value = equals < 0 ? '' : sequence.slice(equals + 1);
    entries.push([
      decodeOrFail(percentDecode(name), FORM_ERROR),
      decodeOrFail(percentDecode(value), FORM_ERROR),
    ]);
  }
  return entries;
}

const MULTIPART_ERROR = 'Multipart form parse error - ';
/** RFC 2046 §5.1.1 `boundary`: 1 to 70 of these characters, not ending in a space. */
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;
const CRLF = encoder.encode('\r\n');
const HEADER_END = encoder.encode('\r\n\r\n');

function multipartError(reason: string): ApiError {
  return new ApiError('parse_error', `${MULTIPART_ERROR}${reason}`);
}

/** The `boundary` parameter of a multipart `Content-Type`, if it is a valid one. */
function boundaryOf(contentType: string): string | undefined {
  const match = /;\s*boundary\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  return boundary !== undefined && BOUNDARY.test(boundary) ? boundary : undefined;
}

/**
 * The first index of `needle` in `haystack` at or after `from`, or -1. The
 * needle's first byte (CR) occurs nowhere else in it, so this is linear.
 */
function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const last = haystack.length - needle.length;
  for (let i = haystack.indexOf(needle[0]!, from); i >= 0 && i <= last;) {
    let k = 1;
    while (k < needle.length && haystack[i + k] === needle[k]) k++;
    if (k === needle.length) return i;
    i = haystack.indexOf(needle[0]!, i + 1);
  }
  return -1;
}

interface Delimiter {
  start: number;
  /** Where the next part begins; undefined after the close delimiter. */
  next?: number;
}

/** The next `CRLF--boundary` line (RFC 2046 §5.1.1: then `--`, or padding and CRLF). */
function nextDelimiter(body: Uint8Array, delimiter: Uint8Array, from: number): Delimiter {
  for (let start = indexOf(body, delimiter, from); start >= 0;) {
    let at = start + delimiter.length;
    if (body[at] === 0x2d && body[at + 1] === 0x2d) return { start };
    while (body[at] === 0x20 || body[at] === 0x09) at++;
    if (body[at] === 0x0d && body[at + 1] === 0x0a) return { start, next: at + 2 };
    start = indexOf(body, delimiter, start + 1);
  }
  throw multipartError('Invalid boundary in multipart.');
}

/** `Content-Disposition: form-data; name="..."; filename="..."`: its parameters, or null. */
function disposition(headers: string): Map<string, string> | null {
  const line = headers.split('\r\n').find((h) => /^content-disposition\s*:/i.test(h));
  if (line === undefined) return null;
  const value = line.slice(line.indexOf(':') + 1);
  const semicolon = value.indexOf(';');
  const type = (semicolon < 0 ? value : value.slice(0, semicolon)).trim().toLowerCase();
  if (type !== 'form-data' || semicolon < 0) return null;
  const params = new Map<string, string>();
  const param = /;\s*([^\s=;]+)\s*(?:=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*)))?/g;
  for (const match of value.slice(semicolon).matchAll(param)) {
    const raw = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : (match[3] ?? '');
    params.set(match[1]!.toLowerCase(), raw.trim());
  }
  return params;
}

/** A part's header block (strict UTF-8) and its content. */
function splitPart(part: Uint8Array): { headers: string; content: Uint8Array } {
  // A part may have no headers at all: it then starts with the blank line.
  if (part[0] === 0x0d && part[1] === 0x0a) return { headers: '', content: part.subarray(2) };
  const end = indexOf(part, HEADER_END, 0);
  if (end < 0) throw multipartError('Part headers are not terminated.');
  const headers = decodeOrFail(part.subarray(0, end), MULTIPART_ERROR);
  return { headers, content: part.subarray(end + HEADER_END.length) };
}

/** One part: a string field, a file (it has a filename), or nothing (no form-data name). */
function readPart(part: Uint8Array): FormEntry | undefined {
  const { headers, content } = splitPart(part);
  const params = disposition(headers);
  const name = params?.get('name');
  // Django skips parts without a form-data name; so do we.
  if (!params || name === undefined) return undefined;
  const filename = params.get('filename') ?? params.get('filename*');
  if (filename === undefined) return [name, decodeOrFail(content, MULTIPART_ERROR)];
  const type = /^content-type\s*:\s*(.*)$/im.exec(headers)?.[1]?.trim();
  return [name, new File([content.slice()], filename, type ? { type } : {})];
}

/** `multipart/form-data` into entries; a malformed body is a 400 `parse_error`. */
export function parseMultipart(body: Uint8Array, contentType: string): FormEntry[] {
  const boundary = boundaryOf(contentType);
  if (boundary === undefined) throw multipartError('Invalid boundary in multipart.');
  // A CRLF in front lets the first delimiter be found like every other one.
  const data = new Uint8Array(body.length + 2);
  data.set(CRLF);
  data.set(body, 2);
  const delimiter = encoder.encode(`\r\n--${boundary}`);
  const entries: FormEntry[] = [];
  let current = nextDelimiter(data, delimiter, 0);
  while (current.next !== undefined) {
    const following = nextDelimiter(data, delimiter, current.next);
    const entry = readPart(data.subarray(current.next, following.start));
    if (entry) entries.push(entry);
    current = following;
  }
  return entries;
}
