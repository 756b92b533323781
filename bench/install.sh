#!/usr/bin/env bash
# From nothing to a working `mcp --version`: the release archive through
# install.sh (served from loopback, as GitHub serves it) vs `install.sh
# --from-source` in a fresh clone (a clean release build) vs `pip install
# ecs-deploy` into a fresh virtualenv; and the sizes of what gets downloaded and
# installed. Prints a Markdown section on stdout.
#
#   bash bench/install.sh
#
# The archive is target/dist/mcp-x86_64-unknown-linux-gnu.tar.gz when it exists
# (`scripts/package.sh build x86_64-unknown-linux-gnu`), else this script builds it
# with that command. MCP_BENCH_SKIP_SOURCE=1 skips the source build (~10 minutes).
set -euo pipefail
# shellcheck disable=SC1091 # lib.sh is checked on its own
. "$(dirname "$0")/lib.sh"

target=x86_64-unknown-linux-gnu
asset="mcp-$target.tar.gz"
scratch="$WORK/install"
rm -rf "$scratch"
mkdir -p "$scratch"

archive="$REPO_DIR/target/dist/$asset"
if [[ ! -f "$archive" ]]; then
    say "packing the release archive (cargo-zigbuild release build)"
    "$REPO_DIR/scripts/package.sh" build "$target" --out "$REPO_DIR/target/dist" >&2
fi
# Named `mcp`: the binary answers under the name it is invoked as.
probe="$scratch/probe/mcp"
mkdir -p "$scratch/probe"
version="$(tar -xzOf "$archive" "mcp-$target/mcp" >"$probe" && chmod +x "$probe" && "$probe" --version)"

# A release laid out as GitHub serves it, on loopback.
site="$scratch/site"
mkdir -p "$site/latest/download"
cp "$archive" "$site/latest/download/"
"$REPO_DIR/scripts/package.sh" checksums "$site/latest/download" 2>/dev/null
port=18734
python3 -m http.server --bind 127.0.0.1 --directory "$site" "$port" >"$scratch/http.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/latest/download/SHA256SUMS" 2>/dev/null && break
    sleep 0.1
done

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# Prebuilt: three fresh prefixes.
prebuilt=()
for run in 1 2 3; do
    prefix="$scratch/prebuilt-$run"
    start="$(now)"
    PREFIX="$prefix" MCP_INSTALL_BASE_URL="http://127.0.0.1:$port" MCP_INSTALL_TARGET="$target" \
        bash "$REPO_DIR/install.sh" 2>>"$scratch/prebuilt.log"
    "$prefix/bin/mcp" --version >/dev/null
    prebuilt+=("$(secs "$start" "$(now)")")
done
installed_kib="$(du -sk "$scratch/prebuilt-1" | cut -f1)"

# From source: a fresh clone, a clean target dir.
source_time="not run (MCP_BENCH_SKIP_SOURCE=1)"
if [[ -z "${MCP_BENCH_SKIP_SOURCE:-}" ]]; then
    git clone -q "$REPO_DIR" "$scratch/clone"
    start="$(now)"
    (cd "$scratch/clone" && env -u CARGO_TARGET_DIR PREFIX="$scratch/source" ./install.sh --from-source 2>"$scratch/source.log")
    "$scratch/source/bin/mcp" --version >/dev/null
    source_time="$(secs "$start" "$(now)")"
fi

# ecs-deploy from PyPI into a fresh virtualenv, no pip cache.
start="$(now)"
python3 -m venv "$scratch/venv"
"$scratch/venv/bin/pip" install -q --no-cache-dir ecs-deploy >"$scratch/pip.log" 2>&1
"$scratch/venv/bin/ecs" --version >/dev/null
pip_time="$(secs "$start" "$(now)")"
ecs_version="$("$scratch/venv/bin/ecs" --version 2>&1 | tail -n 1)"
venv_kib="$(du -sk "$scratch/venv" | cut -f1)"

archive_kib=$(($(wc -c <"$archive") / 1024))
binary_kib=$(($(wc -c <"$probe") / 1024))
glibc="$(objdump -T "$probe" 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sort -t. -k1,1 -k2,2n -u | tail -n 1 || true)"

cat <<EOF
### Install: from nothing to a working \`mcp --version\`

\`bash bench/install.sh\`: $version, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end.
The release archive is \`scripts/package.sh build $target\` (cargo-zigbuild, glibc 2.17
baseline), served from 127.0.0.1 with the GitHub release layout; each run installs into
a fresh \`PREFIX\` and then runs \`mcp --version\`.

| path | seconds |
|---|---|
| \`install.sh\` (release archive: download, SHA-256, unpack, install both names + completions), 3 runs | ${prebuilt[*]} |
| \`install.sh --from-source\` in a fresh clone (clean \`cargo build --release --locked\`) | $source_time |
| \`python3 -m venv\` + \`pip install --no-cache-dir ecs-deploy\` ($ecs_version), from PyPI | $pip_time |

| size | KiB |
|---|---|
| release archive \`$asset\` | $archive_kib |
| \`mcp\` binary (stripped release; newest glibc symbol: ${glibc:-?}) | $binary_kib |
| installed under \`PREFIX\` (\`mcp\`, \`mcp-deploy\`, completions, manifest) | $installed_kib |
| ecs-deploy's virtualenv | $venv_kib |
EOF
