/**
 * Checks an argon2id.wasm build outside workerd: the reference CLI's vectors
 * (vectors.json, shared with test/argon2-wasm.test.ts) and 12 random inputs
 * and parameters against @noble/hashes. `build.sh --check` runs it on a
 * rebuilt module when the toolchain differs from the one recorded.
 *
 *   tsx scripts/argon2-wasm/vectors.ts path/to/argon2id.wasm
 */
import { readFileSync } from 'node:fs';
import { createWasmArgon2id } from '../../src/crypto/argon2-wasm';
import { nobleArgon2id } from '../../src/crypto/password';
import vectors from './vectors.json';

const file = process.argv[2];
if (!file) {
  console.error('usage: tsx scripts/argon2-wasm/vectors.ts <argon2id.wasm>');
  process.exit(2);
}
const argon2id = createWasmArgon2id(new WebAssembly.Module(readFileSync(file)));
const utf8 = (s: string) => new TextEncoder().encode(s);
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64').replace(/=+$/, '');
let failed = 0;

for (const { password, salt, hash, ...params } of vectors.vectors) {
  const got = b64(await argon2id(utf8(password), utf8(salt), params));
  if (got !== hash) {
    failed++;
    console.error(`CLI vector m=${params.memoryKiB}: got ${got}, expected ${hash}`);
  }
}
for (let i = 0; i < 12; i++) {
  const password = crypto.getRandomValues(new Uint8Array(i * 9));
  const salt = crypto.getRandomValues(new Uint8Array(8 + i));
  const parallelism = 1 + (i % 4);
  const params = {
    memoryKiB: 8 * parallelism * (1 + i),
    iterations: 1 + (i % 3),
    parallelism,
    hashLength: 4 + i * 5,
  };
  const got = b64(await argon2id(password, salt, params));
  const expected = b64(await nobleArgon2id(password, salt, params));
  if (got !== expected) {
    failed++;
    console.error(`random case ${i} (${JSON.stringify(params)}): differs from @noble/hashes`);
  }
}
const total = vectors.vectors.length + 12;
console.log(`argon2id vectors on ${file}: ${total - failed} of ${total} match`);
process.exit(failed === 0 ? 0 : 1);
