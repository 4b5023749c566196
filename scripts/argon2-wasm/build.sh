#!/bin/sh
# Builds argon2id.wasm from the argon2 reference C implementation
# (phc-winner-argon2, CC0 1.0 / Apache 2.0), as vendored in the npm package
# argon2@0.45.1, pinned by its registry integrity hash.
#
# Needs npm, openssl and Debian 12's packages named in PACKAGES below:
#   apt-get install -y clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32
# Usage: build.sh [OUT]       writes OUT (default: $ARGON2_WASM) and, beside it,
#                             OUT.toolchain: the versions of PACKAGES that built it
#        build.sh --check     rebuilds into a temporary file. When the installed
#                             versions are the recorded ones, the result must equal
#                             $ARGON2_WASM byte for byte. When they differ (Debian's
#                             mirror serves only the current point release), the
#                             rebuilt module must pass the argon2 vectors
#                             (vectors.ts), and a warning names both sets of versions.
#        build.sh --missing   prints the PACKAGES that are not installed
# ARGON2_WASM defaults to src/crypto/argon2id.wasm, two folders up from this
# script (edgeauth's layout: scripts/argon2-wasm/build.sh).
#
# The source files themselves are not changed: opt.c (the SSE path) compiles
# against simd-shim/, which maps its SSE2/SSSE3/XOP intrinsics to WebAssembly
# SIMD; exports.c adds the entry points; memops.c gives memcpy/memset as
# bulk-memory instructions. The output needs simd128 and bulk-memory (V8 9.1+:
# workerd, Deno, Node 16.4+) and imports nothing.
set -eu

ARGON2_PACKAGE=argon2@0.45.1
ARGON2_TARBALL=argon2-0.45.1.tgz
ARGON2_INTEGRITY='sha512-skm+/WCjkGqCQxF7FG1LuZXM5yvbFjgbfiCGsud2oLgaDhh6b6dbH0b1EkghbM+xx4Bj8Ape+KKgixoIlWZicQ=='
# libclang-rt-19-dev-wasm32: wasm-ld links clang's compiler-rt builtins for wasm32.
PACKAGES="clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32"
CC=clang-19

here=$(cd "$(dirname "$0")" && pwd)
committed=${ARGON2_WASM:-$here/../../src/crypto/argon2id.wasm}

# versions: one "package version" line for each of PACKAGES, "-" when missing.
versions() {
  for pkg in $PACKAGES; do
    v=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null) || v=
    echo "$pkg ${v:--}"
  done
}

check=no
out=$committed
case "${1:-}" in
  --check) check=yes; out=$(mktemp) ;;
  --missing) versions | awk '$2 == "-" { print $1 }'; exit 0 ;;
  '') ;;
  *) out=$1 ;;
esac

missing=$(versions | awk '$2 == "-" { print $1 }' | tr '\n' ' ')
[ -z "$missing" ] || { echo "build.sh: missing Debian packages: apt-get install -y $missing" >&2; exit 1; }
for tool in npm openssl; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool not found" >&2; exit 1; }
done

. "$here/../lib/npm-pack-pinned.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
npm_pack_pinned "$ARGON2_PACKAGE" "$ARGON2_TARBALL" "$ARGON2_INTEGRITY" "$work"
tar -xzf "$work/$ARGON2_TARBALL" -C "$work" package/argon2
src=$work/package/argon2

# -D__SSSE3__ -D__XOP__: take opt.c's shuffle-based rotations and alignr
# diagonalisation, both provided by simd-shim/ with wasm i8x16/i64x2 shuffles.
"$CC" --target=wasm32-wasi --sysroot=/usr -isystem /usr/include/wasm32-wasi \
  -O3 -msimd128 -mbulk-memory -D__SSSE3__ -D__XOP__ -DARGON2_NO_THREADS \
  -ffile-prefix-map="$work"=. -ffile-prefix-map="$here"=. \
  -I"$here/simd-shim" -I"$src/include" -I"$src/src" \
  -nostartfiles -Wl,--no-entry -Wl,--strip-all -Wl,-z,stack-size=65536 \
  "$here/exports.c" "$here/memops.c" \
  "$src/src/argon2.c" "$src/src/core.c" "$src/src/opt.c" "$src/src/blake2/blake2b.c" \
  -o "$out"

if [ "$check" = no ]; then
  versions >"$out.toolchain"
  echo "$out: $(wc -c <"$out") bytes, sha256 $(sha256sum "$out" | cut -d' ' -f1), toolchain in $out.toolchain"
  exit 0
fi

mv "$out" "$work/rebuilt.wasm"
out=$work/rebuilt.wasm
versions >"$work/installed"
if cmp -s "$work/installed" "$committed.toolchain"; then
  if cmp -s "$out" "$committed"; then
    echo "argon2id.wasm: rebuilt identical ($(sha256sum "$out" | cut -d' ' -f1))"
  else
    echo "argon2id.wasm: rebuilt file differs from the committed one, with the recorded toolchain:" >&2
    cat "$committed.toolchain" >&2
    exit 1
  fi
else
  echo "WARNING: argon2id.wasm cannot be compared byte for byte: the toolchain differs from the recorded one."
  echo "  recorded ($committed.toolchain):"
  sed 's/^/    /' "$committed.toolchain"
  echo "  installed:"
  sed 's/^/    /' "$work/installed"
  echo "  Checking the rebuilt module ($(wc -c <"$out") bytes) against the argon2 vectors instead."
  (cd "$here/../.." && npx --no-install tsx scripts/argon2-wasm/vectors.ts "$out")
fi
