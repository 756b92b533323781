"""An MCP server on FastMCP (the `fastmcp` package, HTTP transport), for tests/it/interop.rs.

    python py_fastmcp.py PORT [--stateless]

Default: sessions in memory for the 2025 handshake; --stateless:
`stateless_http=True`. Listens on 127.0.0.1 only; GET /healthz answers "ok".
"""
import sys

from fastmcp import FastMCP
from starlette.requests import Request
from starlette.responses import PlainTextResponse

port = int(sys.argv[1])
stateless = "--stateless" in sys.argv[2:]
mcp = FastMCP("interop-fastmcp")


@mcp.tool
def echo(text: str) -> str:
    """Return the text as it came."""
    return text


@mcp.tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@mcp.custom_route("/healthz", methods=["GET"])
async def healthz(_request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


mcp.run(transport="http", host="127.0.0.1", port=port, stateless_http=stateless, show_banner=False)
