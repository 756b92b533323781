"""A small FastMCP server for `mcp`: one tool, a health route, Streamable HTTP.

Serves MCP at http://0.0.0.0:8000/mcp and `GET /healthz` -> 200 "ok" for the
load balancer's health check. The port can be changed with PORT.
"""

import os

from fastmcp import FastMCP
from starlette.requests import Request
from starlette.responses import PlainTextResponse

mcp = FastMCP("python-fastmcp-example")


@mcp.tool
def echo(text: str) -> str:
    """Return the text it is given."""
    return text


@mcp.custom_route("/healthz", methods=["GET"])
async def healthz(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok\n")


if __name__ == "__main__":
    mcp.run(
        transport="streamable-http",
        host="0.0.0.0",
        port=int(os.environ.get("PORT", "8000")),
        path="/mcp",
    )
