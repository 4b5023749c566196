/**
 * @module crypto/encoding
 * Byte encodings with Web APIs only (no `Buffer`): base64 with or without
 * padding, base64url, hex, UTF-8.
 */

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text) as Uint8Array<ArrayBuffer>;
}

/** Standard base64; `pad: false` drops the `=` padding (PHC strings). */
export function toBase64(bytes: Uint8Array, pad = true): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  const encoded = btoa(binary);
  return pad ? encoded : encoded.replace(/=+$/, '');
}

/** Decodes standard base64 with or without padding; `undefined` if it is not base64. */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const unpadded = text.replace(/=+$/, '');
  if (unpadded.length % 4 === 1) return undefined;
  const padded = unpadded + '='.repeat((4 - (unpadded.length % 4)) % 4);
  try {
    const binary = atob(padded);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return undefined;
  }
}

export function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes, false).replace(/\+/g, '-').replace(/\//g, '_');
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  return fromBase64(text.replace(/-/g, '+').replace(/_/g, '/'));
}

export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (let i = 0; i < bytes.length; i++) hex += bytes[i]!.toString(16).padStart(2, '0');
  return hex;
}

const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Decodes base64url only in its canonical form (RFC 4648 §3.5, RFC 7515 §2):
 * no padding, nothing outside the alphabet, no impossible length, and the
 * unused low bits of the last character zero. Any other spelling of the same
 * bytes is `undefined`, so a token has exactly one encoding.
 */
export function fromCanonicalBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  const unusedBits = [0, -1, 4, 2][text.length % 4]!;
  if (unusedBits < 0) return undefined;
  const last = BASE64URL_ALPHABET.indexOf(text.slice(-1));
  if (unusedBits > 0 && (last & ((1 << unusedBits) - 1)) !== 0) return undefined;
  return fromBase64Url(text);
}

/** UTF-8 that does not decode, with the text Python gives (`str(UnicodeDecodeError)`). */
export class Utf8Error extends Error {
  override name = 'Utf8Error';
}

/** The continuation bytes a lead byte needs, and the range its first one must be in. */
function sequence(lead: number): [need: number, low: number, high: number] | undefined {
  if (lead >= 0xc2 && lead <= 0xdf) return [1, 0x80, 0xbf];
  if (lead === 0xe0) return [2, 0xa0, 0xbf];
  if (lead === 0xed) return [2, 0x80, 0x9f];
  if (lead >= 0xe1 && lead <= 0xef) return [2, 0x80, 0xbf];
  if (lead === 0xf0) return [3, 0x90, 0xbf];
  if (lead >= 0xf1 && lead <= 0xf3) return [3, 0x80, 0xbf];
  if (lead === 0xf4) return [3, 0x80, 0x8f];
  return undefined;
}

function utf8Error(bytes: Uint8Array, start: number, end: number, reason: string): Utf8Error {
  const where =
    end - start === 1
      ? `byte 0x${bytes[start]!.toString(16).padStart(2, '0')} in position ${start}`
      : `bytes in position ${start}-${end - 1}`;
  return new Utf8Error(`'utf-8' codec can't decode ${where}: ${reason}`);
}

/** The first invalid sequence, described as Python's UTF-8 codec describes it. */
function firstUtf8Error(bytes: Uint8Array): Utf8Error {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! < 0x80) continue;
    const shape = sequence(bytes[i]!);
    if (!shape) return utf8Error(bytes, i, i + 1, 'invalid start byte');
    const [need, low, high] = shape;
    for (let k = 1; k <= need; k++) {
      if (i + k >= bytes.length) return utf8Error(bytes, i, bytes.length, 'unexpected end of data');
      const byte = bytes[i + k]!;
      const [min, max] = k === 1 ? [low, high] : [0x80, 0xbf];
      if (byte < min || byte > max) return utf8Error(bytes, i, i + k, 'invalid continuation byte');
    }
    i += need;
  }
  return new Utf8Error("'utf-8' codec can't decode the input");
}

const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes UTF-8 strictly: an invalid sequence throws {@link Utf8Error}
 * rather than becoming U+FFFD, and a byte order mark is kept as U+FEFF (not
 * silently dropped), so the caller decides whether to allow it.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    throw firstUtf8Error(bytes);
  }
}
