"""Connects the official Python SDK 2.x to a gateway started with no configuration, which
serves the simulated demo Loonflow. Makes the calls a newcomer tries first (every filter and page
size, an approval and its consequences, a bad token, an unknown ticket) and prints a JSON summary."""

import asyncio
import json
import os
import sys

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

UNKNOWN_TICKET = "00000000-0000-4000-8000-000000000000"


async def session(url, token, calls):
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=60)) as http:
        async with Client(streamable_http_client(url, http_client=http), mode="auto") as client:
            return await calls(client)


def outcome(result):
    """What the Swift test checks: error flag, and the rows or the text."""
    if result.is_error:
        return {"error": True, "text": result.content[0].text}
    content = result.structured_content
    rows = content.get("ticket_list", content.get("user_list"))
    return {"error": False, "total": content.get("total"), "page": content.get("page"),
            "titles": [row.get("title", row.get("name")) for row in rows] if rows is not None else None}


async def main():
    url, unknown = os.environ["LMG_URL"], os.environ["LMG_UNKNOWN_TOKEN"]
    tokens = json.loads(os.environ["LMG_TOKENS"])
    summary = {"lists": {}, "users": {}}
    lists = {"per_page_5": {"per_page": 5}, "per_page_20": {"per_page": 20}, "page_2": {"per_page": 5, "page": 2},
             "search_leave": {"search_value": "leave"}, "finished": {"act_state": "finished"},
             "reverse_0": {"reverse": 0}, "create_start": {"create_start": "2026-01-01"}}
    users = {"search_bob": {"search_value": "bob"}, "per_page_100": {"per_page": 100},
             "page_2": {"per_page": 2, "page": 2}, "full_rows": {"simple": False}}

    async def as_admin(client):
        summary["protocol_version"] = client.protocol_version
        summary["tools"] = [tool.name for tool in (await client.list_tools()).tools]
        for name, arguments in lists.items():
            summary["lists"][name] = outcome(await client.call_tool("ticket_list", dict(arguments, category="all")))
        for name, arguments in users.items():
            summary["users"][name] = outcome(await client.call_tool("user_list", arguments))
        summary["unknown_ticket"] = outcome(await client.call_tool("ticket_detail", {"ticket_id": UNKNOWN_TICKET}))

    async def as_alice(client):
        duty = (await client.call_tool("ticket_list", {"category": "duty", "search_value": "Dave annual"})).structured_content
        ticket = duty["ticket_list"][0]["id"]
        detail = (await client.call_tool("ticket_detail", {"ticket_id": ticket})).structured_content
        approve = next(action for action in detail["actions"] if action["name"] == "Approve")
        handled = await client.call_tool("ticket_handle", {
            "ticket_id": ticket, "action_type": approve["type"], "action_id": approve["id"],
            "action_props": {"node_id": detail["action_base_node_id"], "comment": "enjoy"},
            "fields": {"lead_opinion": "approved in the demo"}})
        summary["handle"] = outcome(handled)
        summary["handled_title"] = duty["ticket_list"][0]["title"]
        summary["alice_duty_after"] = outcome(await client.call_tool("ticket_list", {"category": "duty"}))
        summary["alice_worked_after"] = outcome(await client.call_tool("ticket_list", {"category": "worked"}))

    async def as_bob(client):
        summary["bob_duty_after"] = outcome(await client.call_tool("ticket_list", {"category": "duty"}))

    async def as_stranger(client):
        summary["unknown_token"] = outcome(await client.call_tool("ticket_list", {"category": "duty"}))

    await session(url, tokens["admin"], as_admin)
    await session(url, tokens["alice"], as_alice)
    await session(url, tokens["bob"], as_bob)
    await session(url, unknown, as_stranger)
    print(json.dumps(summary))
    return 0


sys.exit(asyncio.run(main()))
