"""Drives the gateway with the official Python SDK 1.x (mcp==1.27.0, legacy protocol only)
over Streamable HTTP (streamablehttp_client), the 2024-11-05 HTTP+SSE transport (sse_client)
or stdio (stdio_client)."""

import asyncio
import sys
from importlib.metadata import version

from mcp import ClientSession, StdioServerParameters
from mcp.client.sse import sse_client
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamablehttp_client

import interop_checks as checks


async def run_session(read, write, summary):
    async with ClientSession(read, write) as session:
        initialized = await session.initialize()
        summary["protocol_version"] = initialized.protocolVersion
        summary["server_name"] = initialized.serverInfo.name
        summary.update(await checks.exercise(session.list_tools, session.call_tool))


async def refused_status(url):
    """Connects with a bad token; the gateway's 401 must end the attempt, not hang it."""
    try:
        headers = {"Authorization": f"Bearer {checks.BAD_TOKEN}"}
        async with streamablehttp_client(url, headers=headers) as (read, write, _):
            async with ClientSession(read, write) as session:
                await asyncio.wait_for(session.initialize(), 20)
    except BaseException as error:  # the SDK raises from inside its task group
        for leaf in checks.leaves(error):
            response = getattr(leaf, "response", None)
            if response is not None:
                return response.status_code
        return repr(error)[:200]
    return "connected"


async def main():
    transport = checks.setting("LMG_TRANSPORT")
    summary = {"sdk": version("mcp"), "transport": transport}
    if transport == "http":
        headers = {"Authorization": f"Bearer {checks.setting('LMG_TOKEN')}"}
        async with streamablehttp_client(checks.setting("LMG_URL"), headers=headers) as (read, write, _):
            await run_session(read, write, summary)
        summary["bad_token_status"] = await refused_status(checks.setting("LMG_URL"))
    elif transport == "sse":
        headers = {"Authorization": f"Bearer {checks.setting('LMG_TOKEN')}"}
        async with sse_client(checks.setting("LMG_URL"), headers=headers) as (read, write):
            await run_session(read, write, summary)
    else:
        params = StdioServerParameters(
            command=checks.setting("LMG_GATEWAY"), args=["--stdio"], env=checks.gateway_environment())
        async with stdio_client(params, errlog=sys.stderr) as (read, write):
            await run_session(read, write, summary)
    checks.expect(summary["server_name"] == "loonflow-ticket", f"server name {summary['server_name']}")
    checks.finish(summary)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except checks.Mismatch as error:
        checks.fail(error)
