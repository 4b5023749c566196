/**
 * @module crypto/opaque-token
 * Opaque API tokens: `<prefix>_<id>_<secret><checksum>`, e.g.
 * `eat_3kTmd9QaVZc1Lr0x_Yh…(43)…Wq4Zp1` — a recognisable prefix (so secret
 * scanners can find leaked tokens), a 16-character public identifier, a
 * 32-byte random secret in base62, and a 6-character CRC-32 checksum over
 * everything before it, which rejects typos and junk without a storage
 * lookup. Only a SHA-256 digest of the whole token is stored.
 *
 * DRF's own keys (40 lower-case hex digits) are accepted too, for tokens
 * imported from a Django database; they are looked up by digest.
 */
import { sha256 } from './compare';
import { toHex } from './encoding';
import { randomBytes, randomString } from './random';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ID_LENGTH = 16;
/** 32 bytes in base62 need 43 characters. */
const SECRET_LENGTH = 43;
const CHECKSUM_LENGTH = 6;

/** A parsed token: by identifier (edgeauth's) or by digest only (a DRF key). */
export type ParsedToken = { kind: 'edgeauth'; id: string } | { kind: 'drf' };

function base62(value: bigint, length: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < length; i++) {
    out = BASE62[Number(rest % 62n)] + out;
    rest /= 62n;
  }
  return out;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (IEEE 802.3), as used by zip and PNG. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) {
    crc = CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function checksum(body: string): string {
  return base62(BigInt(crc32(body)), CHECKSUM_LENGTH);
}

function secretPart(): string {
  let value = 0n;
  for (const byte of randomBytes(32)) value = (value << 8n) | BigInt(byte);
  return base62(value, SECRET_LENGTH);
}

/** A new token under `prefix`; the plaintext is shown once and never stored. */
export function generateToken(prefix: string): { token: string; id: string } {
  const id = randomString(ID_LENGTH, BASE62);
  const body = `${prefix}_${id}_${secretPart()}`;
  return { token: body + checksum(body), id };
}

/**
 * Recognises a token without storage: an edgeauth token with a valid
 * checksum, or a DRF key. Anything else is `undefined`.
 */
export function parseToken(token: string, prefix: string): ParsedToken | undefined {
  if (/^[0-9a-f]{40}$/.test(token)) return { kind: 'drf' };
  const shape = new RegExp(
    `^${prefix}_([0-9A-Za-z]{${ID_LENGTH}})_[0-9A-Za-z]{${SECRET_LENGTH}}([0-9A-Za-z]{${CHECKSUM_LENGTH}})$`,
  );
  const match = shape.exec(token);
  if (!match) return undefined;
  const body = token.slice(0, -CHECKSUM_LENGTH);
  return checksum(body) === match[2] ? { kind: 'edgeauth', id: match[1]! } : undefined;
}

/** The stored digest: SHA-256 of the whole token, hex. */
export async function tokenDigest(token: string): Promise<string> {
  return toHex(await sha256(token));
}

/** The public identifier of an imported DRF key, derived from its digest. */
export function drfTokenId(digest: string): string {
  return `drf${digest.slice(0, ID_LENGTH - 3)}`;
}
