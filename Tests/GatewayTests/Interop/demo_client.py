"""Connects the official Python SDK 2.x to a gateway started with no configuration, which
serves the bundled demo fixtures. Prints a JSON summary; exits non-zero on a mismatch."""

import asyncio
import json
import os
import sys

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client


async def session(url, token, calls):
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=60)) as http:
        async with Client(streamable_http_client(url, http_client=http), mode="auto") as client:
            return await calls(client)


async def main():
    url, admin, unknown = os.environ["LMG_URL"], os.environ["LMG_TOKEN"], os.environ["LMG_UNKNOWN_TOKEN"]
    summary = {}

    async def as_admin(client):
        summary["protocol_version"] = client.protocol_version
        summary["tools"] = [tool.name for tool in (await client.list_tools()).tools]
        listing = await client.call_tool("ticket_list", {"category": "all"})
        summary["list_error"] = listing.is_error
        summary["ticket_total"] = listing.structured_content["total"]
        first = listing.structured_content["ticket_list"][0]["id"]
        detail = await client.call_tool("ticket_detail", {"ticket_id": first})
        summary["detail_error"] = detail.is_error
        summary["detail_keys"] = sorted(detail.structured_content.keys())

    async def as_stranger(client):
        result = await client.call_tool("ticket_list", {"category": "duty"})
        summary["unknown_error"] = result.is_error
        summary["unknown_text"] = result.content[0].text

    await session(url, admin, as_admin)
    await session(url, unknown, as_stranger)
    print(json.dumps(summary))
    ok = (summary["tools"][0] == "ticket_list" and summary["ticket_total"] >= 15 and not summary["list_error"]
          and not summary["detail_error"] and summary["unknown_error"])
    return 0 if ok else 1


sys.exit(asyncio.run(main()))
