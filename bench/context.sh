#!/usr/bin/env bash
# Build-context creation for a large tree: `mcp build` against `docker build`.
#
# The tree (~100,000 files, ~97% of them kept out by .dockerignore) is made once
# under $MCP_BENCH_WORK/context by gen_context_tree.py. The Dockerfile is
# `FROM mcp-testbed/busybox` + `COPY . /app` and every run builds the same tree,
# so after the warmups the engine answers COPY from its cache: what is left is
# walking the tree, applying .dockerignore, writing the tar, sending it, and the
# engine unpacking and checksumming it — the context path, end to end.
#
# mcp has no way to build the tar without sending it (and src/ is not changed
# for a benchmark), so "context alone" is not measured. What is measured beside
# the end-to-end time is mcp's own "Built … in Xs" figure, which excludes
# process start, settings, git and the engine handshake.
#
# Output: a Markdown section on stdout. Knobs: MCP_BENCH_RUNS (default 5),
# MCP_BENCH_WARMUP (default 2).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

RUNS="${MCP_BENCH_RUNS:-5}"
WARMUP="${MCP_BENCH_WARMUP:-2}"
DIR="$WORK/context"

need_hyperfine
need_mcp
testbed_up  # only dockerd and the base image are needed here

say "context: generating the tree under $DIR (first time only, ~30 s)"
python3 "$BENCH_DIR/gen_context_tree.py" "$DIR"
cd "$DIR"
total_files="$(find tree -type f | wc -l)"

# BuildKit through the docker CLI needs the buildx plugin; this CLI may not have it.
buildkit_cli=0
if "$DOCKER" buildx version >/dev/null 2>&1; then buildkit_cli=1; fi

# The same image name for all, so nothing piles up beyond dangling images of
# this project (removed at the end by label, never anyone else's).
cmds=(
    -n "mcp build (BuildKit, its default)" "'$MCP' build --no-progress -q"
    -n "mcp build (classic builder, DOCKER_BUILDKIT=0)" "DOCKER_BUILDKIT=0 '$MCP' build --no-progress -q"
    -n "docker build (classic builder, DOCKER_BUILDKIT=0)" "DOCKER_BUILDKIT=0 '$DOCKER' build -q -t mcp-bench-context:docker tree"
)
if ((buildkit_cli)); then
    cmds+=(-n "docker build (BuildKit, DOCKER_BUILDKIT=1)" "DOCKER_BUILDKIT=1 '$DOCKER' build -q -t mcp-bench-context:docker tree")
fi

load_before="$(loadavg)"
json="$(mktemp)"
say "context: hyperfine, $WARMUP warmups + $RUNS runs per command"
hyperfine --style basic --warmup "$WARMUP" --runs "$RUNS" --export-json "$json" "${cmds[@]}" >&2
load_after="$(loadavg)"

# mcp's own timer around the build call (context stream + engine), and what it sent.
inner() {
    local label="$1"; shift
    local times=() line=""
    for _ in 1 2 3; do
        line="$(env "$@" "$MCP" build --no-progress 2>&1 >/dev/null | grep -E '^ *Built ' | tail -1)"
        times+=("$(sed -E 's/.* in ([0-9.]+)s .*/\1/' <<<"$line")")
    done
    printf '| %s | %s | %s |\n' "$label" "${times[*]}" "$(sed -E 's/.*\(context: (.*)\)/\1/' <<<"$line")"
}
inner_rows="$(inner "mcp build (BuildKit)" DOCKER_BUILDKIT=1; inner "mcp build (classic)" DOCKER_BUILDKIT=0)"
docker_sent="$(DOCKER_BUILDKIT=0 "$DOCKER" build -t mcp-bench-context:docker tree 2>&1 | grep -o 'Sending build context to Docker daemon *[0-9.]*[kMG]*B' | sed -E 's/.*daemon *//')"

cat <<MD
### Build context of a large tree

Tree: $total_files files on disk; .dockerignore keeps out \`node_modules\` (90,000 files)
but re-includes \`node_modules/@acme/sdk\`, and keeps out \`.git\`, \`dist\`, \`coverage\`, \`**/*.log\`
but re-includes \`logs/keep.log\`; 3,526 files end up in the image. Dockerfile:
\`FROM mcp-testbed/busybox:latest\` + \`COPY . /app\`, same tree every run, so the engine's
cache answers COPY and the time is the context path (walk, filter, tar, upload, unpack).
hyperfine, $WARMUP warmups + $RUNS runs each, wall seconds. Load average before/after: $load_before / $load_after.

| command | mean ± σ (s) | median (s) | min (s) | max (s) | runs |
|---|---|---|---|---|---|
$(hyperfine_rows "$json")

mcp's own "Built … in Xs" (the build call alone: context stream + engine, without process
start, git and settings), three runs each, and the context it reported:

| builder | Built in (s) | context sent |
|---|---|---|
$inner_rows

docker's classic builder reported sending $docker_sent.
MD
if ((!buildkit_cli)); then
    echo
    echo "\`DOCKER_BUILDKIT=1 docker build\` was not measured: this docker CLI ($("$DOCKER" version -f '{{.Client.Version}}' 2>/dev/null)) has no buildx plugin (\"BuildKit is enabled but the buildx component is missing or broken\"), and the plugin is not in the apt sources reachable here."
fi

rm -f "$json"
# Only this benchmark's dangling images (mcp labels them with the project name).
"$DOCKER" image prune -f --filter "label=org.opencontainers.image.title=mcp-bench-context" >/dev/null 2>&1 || true
