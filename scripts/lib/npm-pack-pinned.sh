# npm_pack_pinned SPEC TARBALL INTEGRITY DIR: fetches the npm package SPEC
# (name@version) into DIR with `npm pack` and checks the tarball against its
# pinned registry integrity (sha512, as package-lock.json records it), so that
# what a build reads is exactly what was reviewed. Exits on a mismatch.
# Sourced by scripts/argon2-wasm/build.sh and scripts/breached-passwords/build.sh.
npm_pack_pinned() {
  (cd "$4" && npm pack "$1" --silent >/dev/null)
  pinned_got="sha512-$(openssl dgst -sha512 -binary "$4/$2" | openssl base64 -A)"
  if [ "$pinned_got" != "$3" ]; then
    echo "build.sh: $2 integrity mismatch: $pinned_got" >&2
    exit 1
  fi
}
