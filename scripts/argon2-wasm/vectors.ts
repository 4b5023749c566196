/**
 * Checks an argon2id.wasm build outside workerd, with the cases that
 * test/argon2-wasm.test.ts runs inside it (cases.ts). `build.sh --check` runs it on a
 * rebuilt module when the toolchain differs from the one recorded.
 *
 *   tsx scripts/argon2-wasm/vectors.ts path/to/argon2id.wasm
 */
import { readFileSync } from 'node:fs';
import { createWasmArgon2id } from '../../src/crypto/argon2-wasm';
import { nobleArgon2id } from '../../src/crypto/password';
import { CLI_VECTORS, RANDOM_CASES, randomCase } from './cases';

const file = process.argv[2];
if (!file) {
  console.error('usage: tsx scripts/argon2-wasm/vectors.ts <argon2id.wasm>');
  process.exit(2);
}
const argon2id = createWasmArgon2id(new WebAssembly.Module(readFileSync(file)));
const utf8 = (s: string) => new TextEncoder().encode(s);
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64').replace(/=+$/, '');
let failed = 0;

for (const { password, salt, hash, ...params } of CLI_VECTORS) {
  const got = b64(await argon2id(utf8(password), utf8(salt), params));
  if (got !== hash) {
    failed++;
    console.error(`CLI vector m=${params.memoryKiB}: got ${got}, expected ${hash}`);
  }
}
for (let i = 0; i < RANDOM_CASES; i++) {
  const { password, salt, params } = randomCase(i);
  const got = b64(await argon2id(password, salt, params));
  const expected = b64(await nobleArgon2id(password, salt, params));
  if (got !== expected) {
    failed++;
    console.error(`random case ${i} (${JSON.stringify(params)}): differs from @noble/hashes`);
  }
}
const total = CLI_VECTORS.length + RANDOM_CASES;
console.log(`argon2id vectors on ${file}: ${total - failed} of ${total} match`);
process.exit(failed === 0 ? 0 : 1);
