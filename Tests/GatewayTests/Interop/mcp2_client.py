"""Drives the gateway with the official Python SDK 2.x (mcp==2.3.0) through its Client,
with mode "auto" (server/discover, falling back to initialize), "2026-07-28" (modern,
no handshake) or "legacy" (initialize), over Streamable HTTP or stdio."""

import asyncio
import sys
from importlib.metadata import version

import httpx2
from mcp import Client, MCPError, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

import interop_checks as checks


def http_client(token):
    """An httpx2 client sending the token the way MCP HTTP clients do."""
    return httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=httpx2.Timeout(30, read=120))


async def run_client(server, mode, summary):
    async with Client(server, mode=mode) as client:
        summary["protocol_version"] = client.protocol_version
        summary["server_name"] = client.server_info.name if client.server_info else None
        summary.update(await checks.exercise(client.list_tools, client.call_tool))


async def refused_code(url, mode):
    """Uses a bad token; the gateway's 401 must surface as its JSON-RPC error, not hang."""
    try:
        async with http_client(checks.BAD_TOKEN) as http:
            async with asyncio.timeout(20):
                async with Client(streamable_http_client(url, http_client=http), mode=mode) as client:
                    await client.list_tools()
    except BaseException as error:  # the SDK raises from inside its task group
        for leaf in checks.leaves(error):
            if isinstance(leaf, MCPError):
                return leaf.code
        return repr(error)[:200]
    return "connected"


async def main():
    transport = checks.setting("LMG_TRANSPORT")
    mode = checks.setting("LMG_MODE")
    summary = {"sdk": version("mcp"), "transport": transport, "mode": mode}
    if transport == "http":
        async with http_client(checks.setting("LMG_TOKEN")) as http:
            await run_client(streamable_http_client(checks.setting("LMG_URL"), http_client=http), mode, summary)
        summary["bad_token_code"] = await refused_code(checks.setting("LMG_URL"), mode)
    else:
        params = StdioServerParameters(
            command=checks.setting("LMG_GATEWAY"), args=["--stdio"], env=checks.gateway_environment())
        await run_client(params, mode, summary)
    checks.finish(summary)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except checks.Mismatch as error:
        checks.fail(error)
