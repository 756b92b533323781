#!/usr/bin/env bash
# Install the MCP SDKs that tests/it/interop.rs runs servers on (idempotent;
# a few milliseconds when all is there). up.sh calls it; by hand:
#
#   tests/testbed/interop.sh [DIR]      DIR defaults to $MCP_TESTBED_DIR/interop
#
# DIR/py1   venv: the MCP Python SDK 1.x       (tests/interop/requirements-py1.txt)
# DIR/py2   venv: the MCP Python SDK 2.x and FastMCP (requirements-py2.txt)
# DIR/ts1   npm:  @modelcontextprotocol/sdk 1.x (tests/interop/ts-sdk1/package*.json)
# DIR/ts2   npm:  @modelcontextprotocol/server 2.x and /node (tests/interop/ts-sdk2)
#
# DIR/uv    venv: uv, which installs the two Python venvs (pip took 40-90 s
#           for what uv does in 10: it fetches in parallel)
#
# Every version is pinned (pip freeze, package-lock.json); only PyPI and the npm
# registry are asked, through pip, uv and npm; uv never downloads a Python. Each
# part carries a stamp with the hash of its pins: a part whose pins changed is
# installed anew. Parts install in parallel (about 20 s cold here).
set -euo pipefail
umask 022 # up.sh runs with 077; a user's tests (up.sh through sudo) run these servers

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PINS="$HERE/../interop"
DIR="${1:-${MCP_TESTBED_DIR:-/tmp/mcp-testbed}/interop}"
PY="${PYTHON:-python3}"
UV_VERSION=0.13.10
export UV_CACHE_DIR="$DIR/.uv-cache" UV_PYTHON_DOWNLOADS=never UV_NO_PROGRESS=1

say() { printf 'testbed: %-9s %s\n' interop "$*" >&2; }
die() { printf 'testbed: ERROR: interop: %s\n' "$*" >&2; exit 1; }

{ command -v node && command -v npm; } >/dev/null || die "node and npm are needed (Node 20 or later)"
(($(node -p 'process.versions.node.split(".")[0]') >= 20)) || die "Node $(node --version) is too old: 20 or later is needed"
mkdir -p "$DIR"
chmod 0755 "$DIR"

stamp_of() { # files... -> one hash of their contents
    cat "$@" | sha256sum | cut -d' ' -f1
}

python_part() { # name requirements-file
    local dest="$DIR/$1" want
    want="$(stamp_of "$2")"
    [[ -f "$dest/.stamp" && "$(cat "$dest/.stamp")" == "$want" && -x "$dest/bin/python" ]] && return 0
    rm -rf "$dest"
    { "$DIR/uv/bin/uv" venv --python "$(command -v "$PY")" "$dest" &&
        "$DIR/uv/bin/uv" pip install --python "$dest/bin/python" --no-deps -r "$2"; } >"$DIR/$1.log" 2>&1 ||
        { cat "$DIR/$1.log" >&2; return 1; }
    echo "$want" >"$dest/.stamp"
    say "$1: installed $(grep -E '^(mcp|fastmcp)==' "$2" | tr '\n' ' ')"
}

npm_part() { # name folder-with-package.json-and-lock
    local dest="$DIR/$1" want
    want="$(stamp_of "$2/package.json" "$2/package-lock.json")"
    [[ -f "$dest/.stamp" && "$(cat "$dest/.stamp")" == "$want" && -d "$dest/node_modules" ]] && return 0
    rm -rf "$dest"
    mkdir -p "$dest"
    cp "$2/package.json" "$2/package-lock.json" "$dest/"
    (cd "$dest" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) >"$DIR/$1.log" 2>&1 ||
        { cat "$DIR/$1.log" >&2; return 1; }
    echo "$want" >"$dest/.stamp"
    say "$1: installed $(node -p "Object.entries(require('$2/package.json').dependencies).map(([n, v]) => n + '@' + v).join(' ')")"
}

start=$SECONDS
uv_part() { # uv itself, with pip into a venv without pip of its own (a second)
    local dest="$DIR/uv"
    [[ -f "$dest/.stamp" && "$(cat "$dest/.stamp")" == "$UV_VERSION" && -x "$dest/bin/uv" ]] && return 0
    rm -rf "$dest"
    { "$PY" -m venv --without-pip "$dest" &&
        "$PY" -m pip --python "$dest/bin/python" install -q --disable-pip-version-check --no-input --no-compile \
            "uv==$UV_VERSION"; } >"$DIR/uv.log" 2>&1 || { cat "$DIR/uv.log" >&2; return 1; }
    echo "$UV_VERSION" >"$dest/.stamp"
}
pids=()
npm_part ts1 "$PINS/ts-sdk1" & pids+=($!)
npm_part ts2 "$PINS/ts-sdk2" & pids+=($!)
uv_part || die "installing uv==$UV_VERSION failed (its output is above)"
python_part py1 "$PINS/requirements-py1.txt" & pids+=($!)
python_part py2 "$PINS/requirements-py2.txt" & pids+=($!)
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
((failed == 0)) || die "an install failed (its output is above; logs in $DIR)"
say "ok ($DIR, $((SECONDS - start)) s)"
