#!/usr/bin/env bash
# Build and pack `mcp` release archives, exactly as the release workflow
# (.github/workflows/release.yml) publishes them. The workflow calls this script
# and nothing else, so what is tested here is what gets published.
#
#   scripts/package.sh build TARGET [--out DIR]          release build for TARGET, then pack it
#   scripts/package.sh pack TARGET BINARY [--out DIR]    pack an already built binary (the tests
#                                                        pack the debug binary: CI has no release build)
#   scripts/package.sh checksums DIR                     write DIR/SHA256SUMS over DIR/mcp-*.tar.gz
#
# One archive per target, named without the version so that GitHub's
# `releases/latest/download/<name>` finds it (install.sh and `cargo binstall` rely on it):
#
#   mcp-<TARGET>.tar.gz
#     mcp-<TARGET>/mcp            the binary
#     mcp-<TARGET>/mcp-deploy     the same binary under its second name (a hard link in the archive)
#     mcp-<TARGET>/completions/   bash, zsh, fish, powershell and elvish completions for both names
#     mcp-<TARGET>/README.md
#     mcp-<TARGET>/docs/          the reference the README links (one Markdown file per topic)
#
# Linux targets are built with cargo-zigbuild against an old glibc (MCP_GLIBC, default 2.17:
# the oldest Rust supports), so one binary runs on every glibc distribution of the last decade;
# `pip install ziglang cargo-zigbuild` provides both tools. macOS targets use plain cargo.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
glibc="${MCP_GLIBC:-2.17}"

die() {
  echo "error: $1" >&2
  [[ -n "${2:-}" ]] && echo "hint: $2" >&2
  exit 1
}

usage() {
  sed -n '6,9p' "${BASH_SOURCE[0]}" | sed 's/^#   //' >&2
  exit 2
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$@"
  else
    shasum -a 256 "$@"
  fi
}

# The targets the release workflow builds; install.sh knows the same list.
known_target() {
  case "$1" in
    x86_64-unknown-linux-gnu | aarch64-unknown-linux-gnu | x86_64-apple-darwin | aarch64-apple-darwin) return 0 ;;
    *) return 1 ;;
  esac
}

pack() {
  local target="$1" binary="$2" out="$3"
  [[ -f "$binary" ]] || die "no binary at $binary" "build it first, or use \`scripts/package.sh build $target\`"
  local name="mcp-$target"
  local stage
  stage="$(mktemp -d)"
  # shellcheck disable=SC2064 # expand now: the trap runs after `stage` is out of scope
  trap "rm -rf '$stage'" RETURN
  mkdir -p "$stage/$name/completions" "$stage/$name/docs" "$out"
  install -m 0755 "$binary" "$stage/$name/mcp"
  ln "$stage/$name/mcp" "$stage/$name/mcp-deploy"
  local file
  for file in "$root"/completions/*; do
    install -m 0644 "$file" "$stage/$name/completions/"
  done
  install -m 0644 "$root/README.md" "$stage/$name/README.md"
  for file in "$root"/docs/*.md; do
    install -m 0644 "$file" "$stage/$name/docs/"
  done
  # Write to a temporary name and rename: a half-written archive never carries the final name.
  # `mcp` first, so it is the regular file and `mcp-deploy` the hard link to it.
  tar -czf "$out/$name.tar.gz.part" -C "$stage" \
    "$name/mcp" "$name/mcp-deploy" "$name/completions" "$name/README.md" "$name/docs"
  mv "$out/$name.tar.gz.part" "$out/$name.tar.gz"
  echo "packed $out/$name.tar.gz" >&2
}

build() {
  local target="$1" out="$2"
  known_target "$target" || die "\`$target\` is not a release target" \
    "release targets: x86_64-unknown-linux-gnu, aarch64-unknown-linux-gnu, x86_64-apple-darwin, aarch64-apple-darwin"
  local target_dir="${CARGO_TARGET_DIR:-$root/target}"
  case "$target" in
    *-linux-gnu)
      command -v cargo-zigbuild >/dev/null 2>&1 || die "cargo-zigbuild not found" "pip install ziglang cargo-zigbuild"
      echo "building mcp for $target (glibc $glibc) with cargo-zigbuild" >&2
      cargo zigbuild --release --locked --manifest-path "$root/Cargo.toml" --target "$target.$glibc"
      ;;
    *)
      echo "building mcp for $target with cargo" >&2
      cargo build --release --locked --manifest-path "$root/Cargo.toml" --target "$target"
      ;;
  esac
  pack "$target" "$target_dir/$target/release/mcp" "$out"
}

checksums() {
  local dir="$1"
  local archives=()
  local file
  for file in "$dir"/mcp-*.tar.gz; do
    [[ -e "$file" ]] && archives+=("$(basename "$file")")
  done
  [[ ${#archives[@]} -gt 0 ]] || die "no mcp-*.tar.gz in $dir" "pack the archives first"
  (cd "$dir" && sha256 "${archives[@]}" >SHA256SUMS.part && mv SHA256SUMS.part SHA256SUMS)
  echo "wrote $dir/SHA256SUMS (${#archives[@]} archives)" >&2
}

out="$root/target/dist"
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out)
      [[ $# -ge 2 ]] || usage
      out="$2"
      shift 2
      ;;
    -h | --help) usage ;;
    *)
      args+=("$1")
      shift
      ;;
  esac
done
set -- ${args[@]+"${args[@]}"}

case "${1:-}" in
  build)
    [[ $# -eq 2 ]] || usage
    build "$2" "$out"
    ;;
  pack)
    [[ $# -eq 3 ]] || usage
    pack "$2" "$3" "$out"
    ;;
  checksums)
    [[ $# -eq 2 ]] || usage
    checksums "$2"
    ;;
  *) usage ;;
esac
