/**
 * @module crypto/argon2-wasm
 * argon2id (RFC 9106) in WebAssembly: the argon2 reference C implementation
 * (CC0 1.0 / Apache 2.0) with SIMD, built into `argon2id.wasm` by
 * `scripts/argon2-wasm/build.sh`. Same output as `@noble/hashes` and the
 * `argon2` CLI, at about a sixth of the CPU time in workerd (about 40 ms
 * against 250 ms at OWASP's 19 MiB, t=2, p=1).
 *
 * The module is imported, never compiled from bytes at run time (Workers
 * forbid that). One import line serves both runtimes:
 * - Workers (wrangler, the vitest pool): the namespace's default export is
 *   the compiled `WebAssembly.Module`; it is instantiated on first use.
 * - Deno (2.1+): the namespace is the instantiated module's exports.
 *
 * This file only builds the function from a module it is given, so that a
 * script can check another build of the module (`scripts/argon2-wasm/vectors.ts`);
 * `argon2id.ts` binds it to the bundled one.
 *
 * One instance per isolate. Calls are synchronous, so two requests never
 * share it mid-hash. Its linear memory grows to the largest hash made and
 * never shrinks; past {@link RETAINED_MEMORY_BYTES} the instance is dropped
 * after the call so that the memory can be collected (a Worker has 128 MB).
 * The password's copy in that memory is zeroed after each call, and argon2
 * wipes its own blocks.
 */
import type { Argon2idFunction } from './password';

/** What `argon2id.wasm` exports (see `scripts/argon2-wasm/exports.c`). */
export interface Argon2WasmExports {
  memory: WebAssembly.Memory;
  alloc(size: number): number;
  dealloc(ptr: number): void;
  /** 0, or a negative `argon2_error_codes` value. */
  argon2id_hash_raw(
    iterations: number,
    memoryKiB: number,
    parallelism: number,
    pwd: number,
    pwdLength: number,
    salt: number,
    saltLength: number,
    hash: number,
    hashLength: number,
  ): number;
}

/** A compiled module, a namespace with one as default, or ready exports. */
export type Argon2WasmSource =
  WebAssembly.Module | { default: WebAssembly.Module } | Argon2WasmExports;

/** An instance whose memory has grown past this is not kept for the next call. */
export const RETAINED_MEMORY_BYTES = 32 * 1024 * 1024;

const MAX_U32 = 0xffff_ffff;

/** The argon2 reference implementation's messages for the codes its checks return. */
const ERRORS: Record<number, string> = {
  [-2]: 'output too short',
  [-3]: 'output too long',
  [-6]: 'salt too short',
  [-12]: 'time cost too small',
  [-14]: 'memory cost too small',
  [-15]: 'memory cost too large',
  [-16]: 'too few lanes',
  [-17]: 'too many lanes',
  [-22]: 'memory allocation error',
};

function isExports(source: object): source is Argon2WasmExports {
  const e = source as Partial<Argon2WasmExports>;
  return e.memory instanceof WebAssembly.Memory && typeof e.argon2id_hash_raw === 'function';
}

function moduleOf(source: Argon2WasmSource): WebAssembly.Module | undefined {
  if (source instanceof WebAssembly.Module) return source;
  if ('default' in source && source.default instanceof WebAssembly.Module) return source.default;
  return undefined;
}

function checkU32(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_U32) {
    throw new RangeError(`argon2id: ${name} must be an integer from 0 to 2^32-1`);
  }
}

function hashWith(
  e: Argon2WasmExports,
  password: Uint8Array,
  salt: Uint8Array,
  params: Parameters<Argon2idFunction>[2],
): Uint8Array {
  const { iterations, memoryKiB, parallelism, hashLength } = params;
  const size = password.length + salt.length + hashLength;
  const pwd = e.alloc(size);
  if (pwd === 0) throw new Error('argon2id: memory allocation error');
  const saltPtr = pwd + password.length;
  const out = saltPtr + salt.length;
  try {
    const heap = new Uint8Array(e.memory.buffer);
    heap.set(password, pwd);
    heap.set(salt, saltPtr);
    const code = e.argon2id_hash_raw(
      iterations,
      memoryKiB,
      parallelism,
      pwd,
      password.length,
      saltPtr,
      salt.length,
      out,
      hashLength,
    );
    if (code !== 0) throw new Error(`argon2id: ${ERRORS[code] ?? `error ${code}`}`);
    // A new view: the memory has grown, which detaches the old buffer.
    return new Uint8Array(e.memory.buffer, out, hashLength).slice();
  } finally {
    new Uint8Array(e.memory.buffer, pwd, size).fill(0);
    e.dealloc(pwd);
  }
}

/**
 * @param source `import * as argon2Wasm from './argon2id.wasm'` (either runtime),
 *   or the compiled module itself
 * @example
 * import * as argon2Wasm from './argon2id.wasm';
 * const hasher = createPasswordHasher(OWASP_ARGON2ID, createWasmArgon2id(argon2Wasm));
 */
export function createWasmArgon2id(source: Argon2WasmSource): Argon2idFunction {
  const module = moduleOf(source);
  let instance: Argon2WasmExports | undefined;
  if (!module) {
    if (!isExports(source)) throw new TypeError('argon2id: not the argon2id.wasm module');
    instance = source;
  }
  const load = (): Argon2WasmExports =>
    (instance ??= new WebAssembly.Instance(module as WebAssembly.Module)
      .exports as unknown as Argon2WasmExports);

  return (password, salt, params) => {
    checkU32('iterations', params.iterations);
    checkU32('memoryKiB', params.memoryKiB);
    checkU32('parallelism', params.parallelism);
    checkU32('hashLength', params.hashLength);
    const e = load();
    let trapped = false;
    try {
      return hashWith(e, password, salt, params);
    } catch (error) {
      // A trap can leave the allocator in any state: the next call starts a new instance.
      trapped = error instanceof WebAssembly.RuntimeError;
      throw error;
    } finally {
      if (module && (trapped || e.memory.buffer.byteLength > RETAINED_MEMORY_BYTES)) {
        instance = undefined;
      }
    }
  };
}
