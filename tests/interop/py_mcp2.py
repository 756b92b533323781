"""An MCP server on the MCP Python SDK 2.x (MCPServer, Streamable HTTP), for tests/it/interop.rs.

    python py_mcp2.py PORT [--stateless]

The SDK serves the 2026-07-28 revision per request (no session) and the 2025
`initialize` handshake either with sessions in memory (the default) or, with
--stateless, `stateless_http=True`. Listens on 127.0.0.1 only; GET /healthz
answers "ok".
"""
import sys

from mcp.server.mcpserver import MCPServer
from starlette.requests import Request
from starlette.responses import PlainTextResponse

port = int(sys.argv[1])
stateless = "--stateless" in sys.argv[2:]
mcp = MCPServer("interop-python-sdk-2")


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


mcp.run("streamable-http", host="127.0.0.1", port=port, stateless_http=stateless)
