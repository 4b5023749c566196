import { describe, expect, it } from 'vitest';
import * as argon2Wasm from '../src/crypto/argon2id.wasm';
import { RETAINED_MEMORY_BYTES, createWasmArgon2id } from '../src/crypto/argon2-wasm';
import { wasmArgon2id } from '../src/crypto/argon2id';
import { OWASP_ARGON2ID, createPasswordHasher, nobleArgon2id } from '../src/crypto/password';
import { CLI_VECTORS, RANDOM_CASES, randomCase } from '../scripts/argon2-wasm/cases';

const utf8 = (s: string) => new TextEncoder().encode(s);
const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/=+$/, '');
const SALT = utf8('edgeauth-salt-16');

describe('argon2id in WebAssembly', () => {
  it('imports as a compiled module in workerd', () => {
    expect(argon2Wasm.default).toBeInstanceOf(WebAssembly.Module);
    expect(WebAssembly.Module.imports(argon2Wasm.default)).toEqual([]);
  });

  it.each(CLI_VECTORS)(
    'matches the argon2 CLI (reference implementation) at m=$memoryKiB KiB',
    async ({ password, salt, hash, ...params }) => {
      expect(b64(await wasmArgon2id(utf8(password), utf8(salt), params))).toBe(hash);
    },
  );

  it('matches @noble/hashes on random inputs and parameters', async () => {
    for (let i = 0; i < RANDOM_CASES; i++) {
      const { password, salt, params } = randomCase(i);
      expect(await wasmArgon2id(password, salt, params)).toEqual(
        await nobleArgon2id(password, salt, params),
      );
    }
  });

  it('verifies hashes that @noble/hashes made, and the other way round', async () => {
    const fast = { memoryKiB: 64, iterations: 1, parallelism: 1 };
    const noble = createPasswordHasher(fast, nobleArgon2id);
    const wasm = createPasswordHasher(fast, wasmArgon2id);
    expect((await wasm.verify('pässwörd ✓', await noble.hash('pässwörd ✓'))).valid).toBe(true);
    expect((await noble.verify('pässwörd ✓', await wasm.hash('pässwörd ✓'))).valid).toBe(true);
  });

  it('rejects what argon2 rejects, and keeps working', async () => {
    const params = { memoryKiB: 64, iterations: 1, parallelism: 1, hashLength: 32 };
    expect(() => wasmArgon2id(utf8('x'), utf8('short'), params)).toThrow('salt too short');
    expect(() => wasmArgon2id(utf8('x'), SALT, { ...params, memoryKiB: 4 })).toThrow(
      'memory cost too small',
    );
    expect(() => wasmArgon2id(utf8('x'), SALT, { ...params, iterations: 2 ** 32 })).toThrow(
      RangeError,
    );
    expect(await wasmArgon2id(utf8('x'), SALT, params)).toHaveLength(32);
  });

  it('drops an instance whose memory grew past the limit', async () => {
    const module = argon2Wasm.default;
    const fn = createWasmArgon2id(module);
    const big = { memoryKiB: RETAINED_MEMORY_BYTES / 1024 + 1024, iterations: 1, parallelism: 1 };
    const small = { memoryKiB: 64, iterations: 1, parallelism: 1, hashLength: 32 };
    const expected = await nobleArgon2id(utf8('pw'), SALT, small);
    await fn(utf8('pw'), SALT, { ...big, hashLength: 32 });
    expect(await fn(utf8('pw'), SALT, small)).toEqual(expected);
  });

  it('hashes at OWASP parameters well within 150 ms', async () => {
    const hasher = createPasswordHasher(OWASP_ARGON2ID, wasmArgon2id);
    const stored = await hasher.hash('warm-up');
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      await scheduler.wait(0);
      const start = performance.now();
      await hasher.verify('warm-up', stored);
      await scheduler.wait(0);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    console.log(`wasm argon2id at OWASP parameters: median ${times[2]} ms (${times.join(', ')})`);
    expect(times[2]).toBeLessThan(150);
  });
});
