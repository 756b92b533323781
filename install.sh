#!/usr/bin/env bash
# Install `mcp` from this source tree.
#
#   ./install.sh              build with cargo and install into $PREFIX/bin (default ~/.local)
#   ./install.sh --uninstall  remove what a previous run installed
#
# Also installs shell completions where bash, zsh and fish look for them under
# $PREFIX. Safe to run again: it replaces what it installed before.
set -euo pipefail

PREFIX="${PREFIX:-$HOME/.local}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

bin_dir="$PREFIX/bin"
bash_dir="$PREFIX/share/bash-completion/completions"
zsh_dir="$PREFIX/share/zsh/site-functions"
fish_dir="$PREFIX/share/fish/vendor_completions.d"

installed=(
  "$bin_dir/mcp"
  "$bash_dir/mcp"
  "$zsh_dir/_mcp"
  "$fish_dir/mcp.fish"
)

say() { printf '%12s %s\n' "$1" "$2" >&2; }

if [[ "${1:-}" == "--uninstall" ]]; then
  for file in "${installed[@]}"; do
    if [[ -e "$file" ]]; then
      rm -f "$file"
      say Removed "$file"
    fi
  done
  exit 0
elif [[ -n "${1:-}" ]]; then
  echo "error: unknown argument \`$1\`" >&2
  echo "usage: ./install.sh [--uninstall]   (set PREFIX to install elsewhere than ~/.local)" >&2
  exit 2
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "error: cargo not found: mcp is built from source with Rust's cargo" >&2
  echo "hint: install Rust (https://rustup.rs or your distribution's \`cargo\` package), then run ./install.sh again" >&2
  exit 1
fi

say Building "mcp (cargo build --release --locked; the first build takes a few minutes)"
cargo build --release --locked --manifest-path "$here/Cargo.toml" --quiet
target_dir="${CARGO_TARGET_DIR:-$here/target}"

install -d "$bin_dir" "$bash_dir" "$zsh_dir" "$fish_dir"
install -m 0755 "$target_dir/release/mcp" "$bin_dir/mcp"
say Installed "$bin_dir/mcp"
install -m 0644 "$here/completions/mcp.bash" "$bash_dir/mcp"
install -m 0644 "$here/completions/_mcp" "$zsh_dir/_mcp"
install -m 0644 "$here/completions/mcp.fish" "$fish_dir/mcp.fish"
say Installed "completions for bash, zsh and fish under $PREFIX/share"

case ":$PATH:" in
  *":$bin_dir:"*) ;;
  *) echo "note: $bin_dir is not on your PATH; add it, e.g. export PATH=\"$bin_dir:\$PATH\"" >&2 ;;
esac
