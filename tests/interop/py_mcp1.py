"""An MCP server on the MCP Python SDK 1.x (FastMCP, Streamable HTTP), for tests/it/interop.rs.

    python py_mcp1.py PORT [--stateless]

Default: sessions in memory (Mcp-Session-Id), as FastMCP does unless told
otherwise; --stateless: `stateless_http=True`, the fix for several tasks.
Listens on 127.0.0.1 only; GET /healthz answers "ok".
"""
import sys

from mcp.server.fastmcp import FastMCP
from starlette.requests import Request
from starlette.responses import PlainTextResponse

port = int(sys.argv[1])
stateless = "--stateless" in sys.argv[2:]
mcp = FastMCP("interop-python-sdk-1", host="127.0.0.1", port=port, stateless_http=stateless)


@mcp.tool()
def echo(text: str) -> str:
    """Return the text as it came."""
    return text


@mcp.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@mcp.custom_route("/healthz", methods=["GET"])
async def healthz(_request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


mcp.run(transport="streamable-http")
