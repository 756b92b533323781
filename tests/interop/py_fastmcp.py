"""An MCP server on FastMCP (the `fastmcp` package, HTTP transport), for tests/it/interop.rs
and tests/it/smoke.rs.

    python py_fastmcp.py PORT [--stateless]

Default: sessions in memory for the 2025 handshake; --stateless:
`stateless_http=True`. Listens on 127.0.0.1 only; GET /healthz answers "ok".

The environment picks a release (unset: the default tools `echo(text)` and
`add(a, b)`, as the interop tests expect):

- `INTEROP_RELEASE=raises`: `echo` raises (the server's error text names
  `lookup-db.internal`);
- `INTEROP_RELEASE=hangs`: `echo` never answers;
- `INTEROP_RELEASE=removes`: `add` is gone;
- `INTEROP_RELEASE=requires`: `echo` has a new required argument `lang`;
- `INTEROP_RELEASE=adds`: a new tool `reverse` and an optional argument
  `upper` on `echo`; nothing removed or made required.

`INTEROP_CALLED=FILE`: every tool call appends the tool's name to FILE first,
so a test can prove from this side which tools were called.
"""
import asyncio
import os
import sys

from fastmcp import FastMCP
from starlette.requests import Request
from starlette.responses import PlainTextResponse

port = int(sys.argv[1])
stateless = "--stateless" in sys.argv[2:]
release = os.environ.get("INTEROP_RELEASE", "")
if release not in ("", "raises", "hangs", "removes", "requires", "adds"):
    sys.exit(f"unknown INTEROP_RELEASE={release}: expected raises, hangs, removes, requires or adds")
mcp = FastMCP("interop-fastmcp")


def called(tool: str) -> None:
    marker = os.environ.get("INTEROP_CALLED")
    if marker:
        with open(marker, "a", encoding="utf-8") as out:
            out.write(tool + "\n")


if release == "requires":

    @mcp.tool
    def echo(text: str, lang: str) -> str:
        """Return the text as it came, in a language."""
        called("echo")
        return f"{lang}: {text}"

elif release == "adds":

    @mcp.tool
    def echo(text: str, upper: bool = False) -> str:
        """Return the text as it came, upper-cased if asked."""
        called("echo")
        return text.upper() if upper else text

    @mcp.tool
    def reverse(text: str) -> str:
        """Return the text reversed."""
        called("reverse")
        return text[::-1]

else:

    @mcp.tool
    async def echo(text: str) -> str:
        """Return the text as it came."""
        called("echo")
        if release == "raises":
            raise RuntimeError("lookup-db.internal refused the connection")
        if release == "hangs":
            await asyncio.sleep(3600)
        return text


if release != "removes":

    @mcp.tool
    def add(a: int, b: int) -> int:
        """Add two integers."""
        called("add")
        return a + b


@mcp.custom_route("/healthz", methods=["GET"])
async def healthz(_request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


mcp.run(transport="http", host="127.0.0.1", port=port, stateless_http=stateless, show_banner=False)
