"""Tickets as resources through an official Python SDK (LMG_SDK=1: mcp 1.27 ClientSession,
legacy era; LMG_SDK=2: mcp 2.3 Client in LMG_MODE): templates, a listing, a read by a user
who may view the ticket and one by a user who may not, and the links in ticket_list results.
Prints a JSON summary."""

import asyncio
import json
import os
import sys


def setting(name):
    return os.environ[name]


async def with_session(token, body):
    headers = {"Authorization": f"Bearer {token}"}
    if setting("LMG_SDK") == "1":
        from mcp import ClientSession
        from mcp.client.streamable_http import streamablehttp_client
        async with streamablehttp_client(setting("LMG_URL"), headers=headers) as (read, write, _):
            async with ClientSession(read, write) as session:
                initialized = await session.initialize()
                return await body(session, initialized.protocolVersion)
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client
    async with httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=60)) as http:
        async with Client(streamable_http_client(setting("LMG_URL"), http_client=http), mode=setting("LMG_MODE")) as client:
            return await body(client, client.protocol_version)


async def main():
    summary = {}

    async def as_viewer(client, version):
        summary["protocol_version"] = version
        templates = await client.list_resource_templates()
        summary["templates"] = [t.uriTemplate if hasattr(t, "uriTemplate") else t.uri_template
                                for t in templates.resourceTemplates] if hasattr(templates, "resourceTemplates") \
            else [t.uri_template for t in templates.resource_templates]
        listing = await client.list_resources()
        resources = listing.resources
        summary["listed"] = len(resources)
        summary["next_cursor"] = getattr(listing, "nextCursor", None) or getattr(listing, "next_cursor", None)
        summary["uris"] = [str(r.uri) for r in resources]
        summary["descriptions"] = [r.description for r in resources]
        chosen = next(r for r in resources if "Incident" not in (r.description or ""))
        summary["chosen"] = str(chosen.uri)
        read = await client.read_resource(str(chosen.uri))
        content = read.contents[0]
        summary["read_mime"] = getattr(content, "mimeType", None) or getattr(content, "mime_type", None)
        summary["read_keys"] = sorted(json.loads(content.text).keys())
        tickets = await client.call_tool("ticket_list", {"category": "relation"})
        summary["link_uris"] = [str(block.uri) for block in tickets.content if block.type == "resource_link"]
        summary["row_ids"] = [row["id"] for row in (getattr(tickets, "structuredContent", None)
                                                     or getattr(tickets, "structured_content", None))["ticket_list"]]

    async def as_stranger(client, version):
        try:
            await client.read_resource(summary["chosen"])
            summary["refused"] = None
        except Exception as error:  # the SDKs raise the JSON-RPC error
            summary["refused"] = str(error)

    await with_session(setting("LMG_VIEWER_TOKEN"), as_viewer)
    await with_session(setting("LMG_STRANGER_TOKEN"), as_stranger)
    print(json.dumps(summary))


sys.exit(asyncio.run(main()))
