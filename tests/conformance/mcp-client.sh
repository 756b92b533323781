#!/usr/bin/env bash
# `mcp check` as the client of the official MCP conformance suite
# (@modelcontextprotocol/conformance), which runs it as `mcp-client.sh SERVER_URL`
# with MCP_CONFORMANCE_SCENARIO (and MCP_CONFORMANCE_CONTEXT, JSON, for the
# scenarios that hand the client credentials). CONFORMANCE_MCP_BIN names the
# mcp binary (tests/it/conformance.rs passes the one cargo built).
#
#   node .../conformance/dist/index.js client --scenario initialize \
#       --command "bash tests/conformance/mcp-client.sh" -o results/
#
# The check's JSON report goes to stdout, which the suite saves as stdout.txt.
# A client secret is written to no file and never printed: it reaches mcp in an
# environment variable, which mcp.toml names.
set -euo pipefail

url="${1:?usage: mcp-client.sh SERVER_URL}"
mcp="${CONFORMANCE_MCP_BIN:?CONFORMANCE_MCP_BIN must name the mcp binary}"
scenario="${MCP_CONFORMANCE_SCENARIO:-}"

# The suite's servers have no /healthz: skip the health step.
args=(check --url "$url" --health-path '' -o json)

case "$scenario" in
sse-retry)
    # The scenario's tool closes its SSE stream and answers on the resumed one.
    args+=(--call test_reconnection)
    ;;
auth/client-credentials-basic)
    context="${MCP_CONFORMANCE_CONTEXT:?the suite passes no MCP_CONFORMANCE_CONTEXT}"
    field() { # name -> that string field of the context, as a TOML string (JSON quoting)
        python3 -c 'import json, sys; print(json.dumps(json.loads(sys.argv[1])[sys.argv[2]]))' "$context" "$1"
    }
    client_id="$(field client_id)"
    CONFORMANCE_CLIENT_SECRET="$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["client_secret"])' "$context")"
    export CONFORMANCE_CLIENT_SECRET
    dir="$(mktemp -d)"
    trap 'rm -rf -- "$dir"' EXIT
    cat >"$dir/mcp.toml" <<EOF
name = "conformance-client"

[deploy]
url = "$url"
health_path = ""
auth = { client_id = $client_id, client_secret_env = "CONFORMANCE_CLIENT_SECRET" }
EOF
    cd "$dir"
    ;;
esac

"$mcp" "${args[@]}"
