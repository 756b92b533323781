#!/usr/bin/env python3
"""Generate the large build-context tree for bench/context.sh (once; idempotent).

    python3 bench/gen_context_tree.py DIR

DIR/tree is a small Node-style project as people really have them on disk:
~3,500 source files that belong in the image, next to ~97,000 files that
.dockerignore keeps out (node_modules, a real .git, build output, coverage,
logs), plus two `!` re-includes (a vendored SDK inside node_modules, one log).
DIR/mcp.toml points `mcp build` at it. A stamp file records the layout version,
so a changed generator regenerates and an unchanged one costs nothing.
"""
import os
import random
import shutil
import subprocess
import sys

VERSION = "3"  # bump when the layout changes

SRC_PACKAGES, SRC_FILES = 60, 50          # 3,000 source files, committed
TEST_FILES = 500                          # committed
NODE_PACKAGES, NODE_FILES = 900, 100      # 90,000 files, ignored
SDK_FILES = 20                            # node_modules/@acme/sdk, re-included
DIST_FILES, COVERAGE_FILES, LOG_FILES = 1500, 1000, 500  # ignored

DOCKERFILE = "FROM mcp-testbed/busybox:latest\nCOPY . /app\n"

DOCKERIGNORE = """\
# Dependencies are installed inside the image, never sent from the desk.
node_modules
# ...except the vendored SDK, which is not on any registry.
!node_modules/@acme/sdk
.git
dist
coverage
**/*.log
# The one log the image ships as an example.
!logs/keep.log
"""

GITIGNORE = "node_modules/\ndist/\ncoverage/\n*.log\n"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write(text)


def body(rng, name, size):
    """Plausible text of roughly `size` bytes (deterministic per seed)."""
    words = ["const", "return", "export", "function", "await", "import", "value", "request", "mcp", "tool"]
    out = [f"// {name}\n"]
    n = len(out[0])
    while n < size:
        line = " ".join(rng.choice(words) for _ in range(8)) + ";\n"
        out.append(line)
        n += len(line)
    return "".join(out)


def generate(tree):
    rng = random.Random(42)
    write(f"{tree}/Dockerfile", DOCKERFILE)
    write(f"{tree}/.dockerignore", DOCKERIGNORE)
    write(f"{tree}/.gitignore", GITIGNORE)
    write(f"{tree}/package.json", '{"name": "bench-mcp-server", "version": "1.0.0"}\n')
    write(f"{tree}/README.md", "# bench\n")
    for p in range(SRC_PACKAGES):
        for f in range(SRC_FILES):
            write(f"{tree}/src/pkg{p:03}/mod{f:03}.ts", body(rng, f"src {p} {f}", rng.randint(400, 2000)))
    for f in range(TEST_FILES):
        write(f"{tree}/tests/t{f:04}.test.ts", body(rng, f"test {f}", rng.randint(300, 1200)))
    for p in range(NODE_PACKAGES):
        base = f"{tree}/node_modules/dep{p:04}"
        write(f"{base}/package.json", f'{{"name": "dep{p:04}", "main": "index.js"}}\n')
        write(f"{base}/index.js", "module.exports = require('./lib/m000.js');\n")
        for f in range(NODE_FILES - 2):
            write(f"{base}/lib/m{f:03}.js", body(rng, f"dep {p} {f}", rng.randint(100, 600)))
    for f in range(SDK_FILES):
        write(f"{tree}/node_modules/@acme/sdk/f{f:02}.js", body(rng, f"sdk {f}", 500))
    for f in range(DIST_FILES):
        write(f"{tree}/dist/chunk{f:04}.js", body(rng, f"dist {f}", 800))
    for f in range(COVERAGE_FILES):
        write(f"{tree}/coverage/c{f:04}.json", '{"lines": 100}\n')
    for f in range(LOG_FILES):
        write(f"{tree}/logs/run{f:03}.log", "INFO started\n")
    write(f"{tree}/logs/keep.log", "INFO example\n")

    # A real repository: its .git (thousands of loose objects) is part of the junk.
    git = ["git", "-C", tree, "-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
    subprocess.run(git[:3] + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-q", "-m", "bench tree"], check=True)


def main():
    root = os.path.abspath(sys.argv[1])
    tree = os.path.join(root, "tree")
    stamp = os.path.join(root, "stamp")
    if os.path.exists(stamp) and open(stamp).read() == VERSION:
        return
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    generate(tree)
    write(f"{root}/mcp.toml", 'name = "mcp-bench-context"\n\n[build]\ncontext = "tree"\n')
    write(stamp, VERSION)


if __name__ == "__main__":
    main()
