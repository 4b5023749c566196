/**
 * @module crypto/argon2id
 * The argon2id function of the bundled `argon2id.wasm`: the `kdf` argument of
 * `createPasswordHasher` in the Worker and on Deno. See `argon2-wasm.ts`.
 */
import type { Argon2idFunction } from './password';
import { createWasmArgon2id } from './argon2-wasm';
import * as argon2Wasm from './argon2id.wasm';

/** argon2id from `argon2id.wasm`, one instance per isolate. */
export const wasmArgon2id: Argon2idFunction = createWasmArgon2id(argon2Wasm);
