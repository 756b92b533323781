#!/usr/bin/env bash
# Build echo-server as a static binary and put it at dist/echo-server, for the
# `FROM scratch` Dockerfile next to this script.
#
# The binary is built on the host, not in a Rust image, so the image builds
# without pulling anything. It links glibc statically (`+crt-static`); that is
# safe here because the server binds an IP address and never resolves a host
# name (static glibc cannot load NSS modules).
set -euo pipefail
cd "$(dirname "$0")"

target=x86_64-unknown-linux-gnu
target_dir="${CARGO_TARGET_DIR:-target}"
RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
    cargo build --release --locked --target "$target" --target-dir "$target_dir"

mkdir -p dist
cp "$target_dir/$target/release/echo-server" dist/echo-server
# glibc's ldd says "statically linked" (static-pie) or "not a dynamic executable".
if ! ldd dist/echo-server 2>&1 | grep -qE 'statically linked|not a dynamic executable'; then
    echo "error: dist/echo-server is dynamically linked; it would not run FROM scratch" >&2
    exit 1
fi
echo "built dist/echo-server (static)" >&2
