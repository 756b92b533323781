#!/usr/bin/env bash
# Install `mcp`, the same binary as `mcp-deploy`, and their shell completions.
#
#   ./install.sh                   download the latest release for this machine, verify its
#                                  SHA-256, install into $PREFIX/bin (default ~/.local/bin)
#   ./install.sh --version 0.2.0   a given release instead of the latest
#   ./install.sh --from-source     build with cargo instead: this checkout when run from one,
#                                  otherwise the release's tag (`cargo install --git`)
#   ./install.sh --force           replace files it did not install (the MCP Python SDK's `mcp`)
#   ./install.sh --dry-run         say what would happen; download (beyond the small SHA256SUMS),
#                                  build and change nothing
#   ./install.sh --uninstall       remove what this script installed, and nothing else
#
# Environment:
#   PREFIX                where to install: $PREFIX/bin and $PREFIX/share (default ~/.local)
#   MCP_INSTALL_BASE_URL  where releases come from (default https://github.com/mcp-deploy/mcp/releases),
#                         laid out as GitHub does: <base>/download/v<V>/<file> and
#                         <base>/latest/download/<file>; for mirrors and for tests
#   MCP_INSTALL_TARGET    install for this platform instead of the detected one (a Rust target
#                         triple); for unusual hosts and for the tests
#
# Without a prebuilt archive for the platform it builds from source, and says why.
# A checksum mismatch, an unknown version or no network is an error that installs
# nothing. Safe to run again: when the installed files are already the ones it
# would install, it changes nothing. It never overwrites a file it did not
# install without --force: an `mcp` that is not this tool (the MCP Python SDK
# puts its own `mcp` script in bin/), another `mcp-deploy`, a completion file.
# What it wrote is listed in $PREFIX/share/mcp/install-manifest with each
# file's SHA-256; --uninstall removes those files only while they are unchanged.
set -euo pipefail

repo_url="https://github.com/mcp-deploy/mcp"
base_url="${MCP_INSTALL_BASE_URL:-$repo_url/releases}"
base_url="${base_url%/}"
PREFIX="${PREFIX:-$HOME/.local}"
# Empty when the script is piped into bash: then it is not run from a checkout.
here=""
if [[ -f "${BASH_SOURCE[0]:-}" ]]; then here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"; fi

bin_dir="$PREFIX/bin"
bash_dir="$PREFIX/share/bash-completion/completions"
zsh_dir="$PREFIX/share/zsh/site-functions"
fish_dir="$PREFIX/share/fish/vendor_completions.d"
manifest="$PREFIX/share/mcp/install-manifest"
# Every build of this tool carries this phrase (the first line of its --help).
about="Ship MCP servers to AWS: build, push to ECR"
release_targets="x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu x86_64-apple-darwin aarch64-apple-darwin"

say() { printf '%12s %s\n' "$1" "$2" >&2; }
note() { echo "note: $1" >&2; }
die() {
  echo "error: $1" >&2
  if [[ -n "${2:-}" ]]; then echo "hint: $2" >&2; fi
  exit 1
}
usage() {
  if [[ -f "${BASH_SOURCE[0]:-}" ]]; then
    sed -n '4,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  else
    echo "usage: install.sh [--version V] [--from-source] [--force] [--dry-run] [--uninstall]" >&2
  fi
  echo "(set PREFIX to install elsewhere than ~/.local)" >&2
}

version=""
from_source=false
force=false
dry_run=false
uninstall=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --version)
      [[ $# -ge 2 && -n "$2" ]] || die "--version needs a value, e.g. --version 0.2.0"
      version="$2"
      shift 2
      ;;
    --version=*)
      version="${1#--version=}"
      shift
      ;;
    --from-source) from_source=true; shift ;;
    --force) force=true; shift ;;
    --dry-run) dry_run=true; shift ;;
    --uninstall) uninstall=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *)
      echo "error: unknown argument \`$1\`" >&2
      usage
      exit 2
      ;;
  esac
done
if [[ "$version" == "latest" ]]; then version=""; fi
version="${version#v}"
# A version is a semver and nothing else: it becomes part of the download URL,
# and a path in it (`0.1.0/../../other/download/v6.6.6`) would fetch another
# release, "verified" by that release's own SHA256SUMS.
semver_re='^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$'
if [[ -n "$version" && ! "$version" =~ $semver_re ]]; then
  echo "error: the --version given is not a version: write a semver such as 0.2.0 (or v0.2.0), or latest" >&2
  exit 2
fi

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

elapsed() {
  local s=$((SECONDS - $1))
  if ((s >= 60)); then printf '%dm %02ds' $((s / 60)) $((s % 60)); else printf '%ds' "$s"; fi
}

# The manifest's recorded SHA-256 of an installed file, if it lists it.
manifest_sha() {
  [[ -f "$manifest" ]] || return 1
  local kind sha path
  while read -r kind sha path; do
    if [[ "$kind" == file && "$path" == "$1" ]]; then
      echo "$sha"
      return 0
    fi
  done <"$manifest"
  return 1
}

manifest_value() {
  [[ -f "$manifest" ]] || return 1
  local key value
  while read -r key value; do
    if [[ "$key" == "$1" ]]; then
      echo "$value"
      return 0
    fi
  done <"$manifest"
  return 1
}

# What the file at $1 is: "none", "ours" (installed by this script, or any
# build of this tool), "sdk" (the MCP Python SDK's console script) or "other".
classify() {
  local file="$1" recorded
  if [[ ! -e "$file" && ! -L "$file" ]]; then
    echo none
  elif recorded="$(manifest_sha "$file")" && [[ "$(sha256_of "$file")" == "$recorded" ]]; then
    echo ours
  elif [[ "$(head -c 2 "$file" 2>/dev/null)" == "#!" ]]; then
    # pip and uv write `from mcp.cli import app` into the SDK's `mcp` console script.
    if grep -q "from mcp.cli import" "$file" 2>/dev/null; then echo sdk; else echo other; fi
  elif grep -qF "$about" "$file" 2>/dev/null; then
    echo ours
  else
    echo other
  fi
}

describe() {
  case "$(classify "$1")" in
    ours) echo "this tool" ;;
    sdk) echo "the MCP Python SDK's \`mcp\` script ($(head -n 1 "$1"))" ;;
    none) echo "nothing" ;;
    *) echo "a program that is not this tool" ;;
  esac
}

# Every executable `mcp` on PATH, in order.
mcps_on_path() {
  local dir seen=":"
  local IFS=:
  for dir in $PATH; do
    [[ -n "$dir" && -x "$dir/mcp" && ! -d "$dir/mcp" ]] || continue
    case "$seen" in *":$dir:"*) continue ;; esac
    seen="$seen$dir:"
    echo "$dir/mcp"
  done
}

on_path() {
  case ":$PATH:" in *":$1:"*) return 0 ;; *) return 1 ;; esac
}

# ---------------------------------------------------------------- uninstall
if $uninstall; then
  if [[ -f "$manifest" ]]; then
    while read -r kind sha path; do
      [[ "$kind" == file ]] || continue
      if [[ ! -e "$path" ]]; then
        continue
      elif [[ "$(sha256_of "$path")" == "$sha" ]]; then
        rm -f "$path"
        say Removed "$path"
      else
        say Kept "$path (changed since it was installed: not ours any more)"
      fi
    done <"$manifest"
    rm -f "$manifest"
    rmdir "$(dirname "$manifest")" 2>/dev/null || true
  else
    # An install from before the manifest existed: remove only files that are this tool's.
    for path in "$bin_dir/mcp" "$bin_dir/mcp-deploy"; do
      if [[ -e "$path" && "$(head -c 2 "$path")" != "#!" ]] && grep -qF "$about" "$path"; then
        rm -f "$path"
        say Removed "$path"
      elif [[ -e "$path" ]]; then
        say Kept "$path ($(describe "$path"))"
      fi
    done
    for path in "$bash_dir/mcp" "$zsh_dir/_mcp" "$fish_dir/mcp.fish" \
      "$bash_dir/mcp-deploy" "$zsh_dir/_mcp-deploy" "$fish_dir/mcp-deploy.fish"; do
      # Completions generated from this tool's CLI mention its `--no-progress` flag.
      if [[ -f "$path" ]] && grep -q -- "no-progress" "$path"; then
        rm -f "$path"
        say Removed "$path"
      fi
    done
  fi
  echo "uninstalled mcp from $PREFIX" >&2
  exit 0
fi

# ---------------------------------------------------------------- platform
detect_target() {
  local os arch
  os="$(uname -s)"
  arch="$(uname -m)"
  case "$arch" in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=aarch64 ;;
  esac
  case "$os" in
    Linux)
      if ldd --version 2>&1 | grep -qi musl; then
        echo "$arch-unknown-linux-musl"
      else
        echo "$arch-unknown-linux-gnu"
      fi
      ;;
    Darwin)
      # An x86_64 shell under Rosetta on Apple silicon: the native binary is better.
      if [[ "$arch" == x86_64 && "$(sysctl -n sysctl.proc_translated 2>/dev/null || true)" == 1 ]]; then
        arch=aarch64
      fi
      echo "$arch-apple-darwin"
      ;;
    *) echo "$arch-unknown-$(echo "$os" | tr '[:upper:]' '[:lower:]')" ;;
  esac
}

target="${MCP_INSTALL_TARGET:-$(detect_target)}"
in_checkout=false
if [[ -n "$here" && -f "$here/Cargo.toml" && -f "$here/src/main.rs" ]] && grep -q '^name = "mcp"$' "$here/Cargo.toml"; then
  in_checkout=true
fi

stage="$(mktemp -d "${TMPDIR:-/tmp}/mcp-install.XXXXXX")"
trap 'rm -rf "$stage"' EXIT

# ---------------------------------------------------------------- download
# fetch URL FILE: 0, or a message in $fetch_error and a non-zero status
# (22: the server answered with an HTTP error; anything else: it could not be reached).
fetch_error=""
# HTTPS only, redirects included; a mirror on loopback (the tests') may be plain http.
curl_proto='=https'
case "$base_url" in
  http://127.0.0.1 | http://127.0.0.1[:/]* | http://localhost | http://localhost[:/]* | "http://[::1]"*)
    curl_proto='=http,https'
    ;;
esac
fetch() {
  local code rc=0
  command -v curl >/dev/null 2>&1 || die "curl not found: it downloads the release" \
    "install curl, or build from a clone with ./install.sh --from-source"
  local progress=(--silent)
  if [[ -t 2 && "$2" == *.tar.gz ]]; then progress=(--progress-bar); fi
  code="$(curl "${progress[@]}" --proto "$curl_proto" --proto-redir '=https' \
    --show-error --location --fail --connect-timeout 20 --retry 2 \
    --output "$2" --write-out '%{http_code}' "$1" 2>"$stage/curl.err")" || rc=$?
  if [[ $rc -eq 22 ]]; then
    fetch_error="HTTP $code"
  elif [[ $rc -ne 0 ]]; then
    fetch_error="$(grep -v '^#' "$stage/curl.err" | tail -n 1)"
    fetch_error="${fetch_error:-curl exit $rc}"
  fi
  return $rc
}

release_url() {
  if [[ -n "$version" ]]; then echo "$base_url/download/v$version/$1"; else echo "$base_url/latest/download/$1"; fi
}

release_name() {
  if [[ -n "$version" ]]; then echo "release v$version"; else echo "the latest release"; fi
}

# ---------------------------------------------------------------- install the staged files
# Files to install: "mode source destination" lines in $stage/plan.
: >"$stage/plan"
plan() { printf '%s %s %s\n' "$1" "$2" "$3" >>"$stage/plan"; }

skip_mcp=false
mcp_kind="$(classify "$bin_dir/mcp")"
if [[ "$mcp_kind" == sdk || "$mcp_kind" == other ]]; then
  if $force; then
    note "--force: replacing $bin_dir/mcp, $(describe "$bin_dir/mcp")"
  else
    skip_mcp=true
  fi
fi

# plan_files DIR_WITH_BINARY_AND_COMPLETIONS: what goes where.
plan_files() {
  local from="$1"
  if ! $skip_mcp; then
    plan 0755 "$from/mcp" "$bin_dir/mcp"
    plan 0644 "$from/completions/mcp.bash" "$bash_dir/mcp"
    plan 0644 "$from/completions/_mcp" "$zsh_dir/_mcp"
    plan 0644 "$from/completions/mcp.fish" "$fish_dir/mcp.fish"
  fi
  plan 0755 "$from/mcp" "$bin_dir/mcp-deploy"
  plan 0644 "$from/completions/mcp-deploy.bash" "$bash_dir/mcp-deploy"
  plan 0644 "$from/completions/_mcp-deploy" "$zsh_dir/_mcp-deploy"
  plan 0644 "$from/completions/mcp-deploy.fish" "$fish_dir/mcp-deploy.fish"
}

installed_version=""
install_planned() {
  local kind="$1" archive_sha="${2:-}"
  local mode src dest changed=0 new=()
  # What the manifest lists: files this script wrote, now or before.
  : >"$stage/recorded"
  # Copy everything next to its destination first, then rename each into place:
  # a failure while copying leaves the previous install as it was.
  while read -r mode src dest; do
    [[ -f "$src" ]] || die "the $kind has no ${src##*/}" "report this: every archive carries it"
    if [[ -f "$dest" && "$(sha256_of "$src")" == "$(sha256_of "$dest")" ]]; then
      if manifest_sha "$dest" >/dev/null || [[ "$(classify "$dest")" == ours ]]; then
        echo "$dest" >>"$stage/recorded"
      fi
      continue
    fi
    # A file this script did not install (another `mcp-deploy`, a completion
    # file of the user's) is kept, and not recorded: --uninstall leaves it too.
    if [[ -e "$dest" || -L "$dest" ]] && ! manifest_sha "$dest" >/dev/null \
      && [[ "$(classify "$dest")" != ours ]] && ! $force; then
      say Kept "$dest (not installed by this script: left as it is; --force replaces it)"
      continue
    fi
    echo "$dest" >>"$stage/recorded"
    install -d "$(dirname "$dest")"
    if ! install -m "$mode" "$src" "$dest.mcp-new"; then
      for dest in ${new[@]+"${new[@]}"}; do rm -f "$dest.mcp-new"; done
      die "could not write $dest.mcp-new" "check that you may write to $PREFIX (or set PREFIX)"
    fi
    new+=("$dest")
  done <"$stage/plan"
  for dest in ${new[@]+"${new[@]}"}; do
    mv -f "$dest.mcp-new" "$dest"
    say Installed "$dest"
    changed=$((changed + 1))
  done
  # The manifest lists what this run put in place, with each file's SHA-256.
  install -d "$(dirname "$manifest")"
  {
    echo "# written by mcp's install.sh: --uninstall removes these files while they are unchanged"
    echo "version $installed_version"
    echo "source $kind"
    if [[ -n "$archive_sha" ]]; then echo "archive_sha256 $archive_sha"; fi
    while read -r dest; do
      echo "file $(sha256_of "$dest") $dest"
    done <"$stage/recorded"
  } >"$manifest.mcp-new"
  mv -f "$manifest.mcp-new" "$manifest"
  if [[ $changed -eq 0 ]]; then
    say Unchanged "mcp $installed_version is already installed in $bin_dir: nothing to do"
  fi
}

# The closing lines: which `mcp` wins on PATH, and where mcp went (the last line).
finish() {
  local first what
  if $skip_mcp; then
    echo "kept $bin_dir/mcp: it is $(describe "$bin_dir/mcp"); installed the same tool as mcp-deploy (rerun with --force to replace it)" >&2
  fi
  first="$(mcps_on_path | head -n 1)"
  if [[ -n "$first" ]]; then
    what="$(describe "$first")"
    if [[ "$what" == "this tool" ]]; then
      echo "on PATH, \`mcp\` runs $first (this tool)" >&2
    else
      echo "on PATH, \`mcp\` runs $first, $what: use \`mcp-deploy\` for this tool" >&2
    fi
  fi
  local name=mcp
  if $skip_mcp; then name=mcp-deploy; fi
  if on_path "$bin_dir"; then
    echo "$name $installed_version is in $bin_dir, which is on your PATH" >&2
  else
    echo "$name $installed_version is in $bin_dir; put it on your PATH: export PATH=\"$bin_dir:\$PATH\"" >&2
  fi
}

# ---------------------------------------------------------------- from source
from_source_build() {
  local why="$1"
  if [[ -n "$why" ]]; then say Building "from source: $why"; fi
  local cmd built
  if $in_checkout; then
    local checkout_version
    checkout_version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$here/Cargo.toml" | head -n 1)"
    if [[ -n "$version" && "$version" != "$checkout_version" ]]; then
      die "this checkout is mcp $checkout_version, not $version" \
        "check out the tag v$version first, or drop --version to build this checkout"
    fi
    cmd=(cargo build --release --locked --manifest-path "$here/Cargo.toml")
    built="${CARGO_TARGET_DIR:-$here/target}/release/mcp"
  else
    cmd=(cargo install --locked --root "$stage/cargo" --git "$repo_url")
    if [[ -n "$version" ]]; then cmd+=(--tag "v$version"); fi
    cmd+=(mcp)
    built="$stage/cargo/bin/mcp"
  fi
  if $dry_run; then
    echo "would run: ${cmd[*]}" >&2
    echo "would install mcp and mcp-deploy into $bin_dir$($skip_mcp && echo " (not mcp: $bin_dir/mcp is $(describe "$bin_dir/mcp"))")" >&2
    exit 0
  fi
  command -v cargo >/dev/null 2>&1 || die "cargo not found: building mcp from source needs Rust's cargo" \
    "install Rust (https://rustup.rs or your distribution's \`cargo\` package), then run ./install.sh --from-source again"
  local started=$SECONDS
  say Building "mcp with \`${cmd[*]}\` (a clean build takes several minutes; cargo shows its progress)"
  "${cmd[@]}"
  say Built "mcp in $(elapsed "$started")"
  # Completions come from the built binary itself, under both of its names.
  local from="$stage/built"
  mkdir -p "$from/completions"
  install -m 0755 "$built" "$from/mcp"
  install -m 0755 "$built" "$from/mcp-deploy"
  local name shell
  for name in mcp mcp-deploy; do
    for shell in bash zsh fish; do
      local file
      case "$shell" in
        bash) file="$name.bash" ;;
        zsh) file="_$name" ;;
        fish) file="$name.fish" ;;
      esac
      "$from/$name" completions "$shell" >"$from/completions/$file"
    done
  done
  installed_version="$("$from/mcp" --version | sed 's/^[^ ]* //')"
  plan_files "$from"
  install_planned source
  finish
  exit 0
}

if $from_source; then
  from_source_build ""
fi

case " $release_targets " in
  *" $target "*) ;;
  *) from_source_build "there is no prebuilt mcp for $target (releases have: ${release_targets// /, })" ;;
esac

if $in_checkout; then
  note "installing $(release_name) (prebuilt); ./install.sh --from-source builds this checkout instead"
fi

# ---------------------------------------------------------------- prebuilt
asset="mcp-$target.tar.gz"
sums_url="$(release_url SHA256SUMS)"
if ! fetch "$sums_url" "$stage/SHA256SUMS"; then
  if [[ "$fetch_error" == "HTTP 404" ]]; then
    if [[ -n "$version" ]]; then
      die "there is no release v$version ($sums_url answered 404)" \
        "see $repo_url/releases for the versions; omit --version for the latest"
    fi
    die "there is no published release yet ($sums_url answered 404)" \
      "build from a clone with ./install.sh --from-source"
  fi
  die "cannot download $sums_url: $fetch_error; nothing was installed" \
    "check the network (and HTTPS_PROXY), set MCP_INSTALL_BASE_URL to a mirror, or build from a clone with --from-source"
fi
expected="$(awk -v f="$asset" '$2 == f || $2 == "*" f { print $1 }' "$stage/SHA256SUMS")"
if [[ -z "$expected" ]]; then
  from_source_build "$(release_name) has no $asset"
fi

if $dry_run; then
  echo "would download $(release_url "$asset") and check its SHA-256 is $expected" >&2
  echo "would install mcp and mcp-deploy into $bin_dir$($skip_mcp && echo " (not mcp: $bin_dir/mcp is $(describe "$bin_dir/mcp"))")" >&2
  exit 0
fi

# Nothing to do when the manifest says this very archive is installed and every file is intact.
if [[ "$(manifest_value archive_sha256 || true)" == "$expected" ]]; then
  intact=true
  while read -r kind sha path; do
    [[ "$kind" == file ]] || continue
    if [[ ! -f "$path" || "$(sha256_of "$path")" != "$sha" ]]; then intact=false; fi
  done <"$manifest"
  want_mcp=true
  if $skip_mcp; then want_mcp=false; fi
  if manifest_sha "$bin_dir/mcp" >/dev/null; then has_mcp=true; else has_mcp=false; fi
  if $intact && [[ "$want_mcp" == "$has_mcp" ]]; then
    installed_version="$(manifest_value version || true)"
    say Unchanged "mcp $installed_version ($asset, sha256 ${expected:0:12}…) is already installed in $bin_dir: nothing to do"
    finish
    exit 0
  fi
fi

url="$(release_url "$asset")"
say Downloading "$url"
if ! fetch "$url" "$stage/$asset"; then
  die "cannot download $url: $fetch_error; nothing was installed" \
    "check the network (and HTTPS_PROXY), or set MCP_INSTALL_BASE_URL to a mirror"
fi
actual="$(sha256_of "$stage/$asset")"
if [[ "$actual" != "$expected" ]]; then
  die "checksum mismatch for $asset: SHA256SUMS says $expected, the download is $actual; nothing was installed" \
    "run the installer again; if it persists, the release or the mirror ($base_url) is corrupt"
fi
say Verified "$asset (sha256 $actual)"
mkdir -p "$stage/unpacked"
tar -xzf "$stage/$asset" -C "$stage/unpacked" || die "cannot unpack $asset; nothing was installed"
from="$stage/unpacked/mcp-$target"
if ! installed_version="$("$from/mcp" --version 2>&1)"; then
  die "the downloaded mcp does not run on this machine ($installed_version); nothing was installed" \
    "build it here instead: ./install.sh --from-source"
fi
installed_version="${installed_version#* }"
plan_files "$from"
install_planned release "$expected"
finish
