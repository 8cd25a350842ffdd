"""The comparison peer: ticket_list and ticket_detail on the official Python SDK (mcp 2.3.0).

Stateless, JSON responses, one uvicorn worker; every tool call makes the same REST requests
as the gateway through one pooled httpx.AsyncClient (ticket_detail sends its three at once).

  python peer.py --port P --upstream http://127.0.0.1:U
"""
import argparse
import asyncio
import logging
from typing import Any

import httpx
import uvicorn
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.transport_security import TransportSecuritySettings

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--upstream", required=True, help="Loonflow origin, without /api/v1.0")
options = parser.parse_args()

api = options.upstream.rstrip("/") + "/api/v1.0"
client = httpx.AsyncClient(
    limits=httpx.Limits(max_connections=256, max_keepalive_connections=256), timeout=httpx.Timeout(30.0)
)
# Quiet logs (warnings only, no per-request lines) give the peer its best case.
logging.getLogger("httpx").setLevel(logging.WARNING)
server = MCPServer("loonflow-peer", version="bench", log_level="WARNING")


def forwarded_headers(ctx: Context) -> dict[str, str]:
    headers = ctx.headers or {}
    token = headers.get("authorization", "")
    if not token.lower().startswith("bearer "):
        raise ToolError("send Authorization: Bearer <token>")
    return {"Authorization": token, "Accept": "application/json"}


async def loonflow_get(path: str, params: dict[str, Any], headers: dict[str, str]) -> Any:
    response = await client.get(api + path, params=params, headers=headers)
    if response.status_code != 200:
        raise ToolError(f"Loonflow answered HTTP {response.status_code}")
    envelope = response.json()
    if envelope.get("code") != 0:
        raise ToolError(envelope.get("msg") or f"error code {envelope.get('code')}")
    return envelope.get("data")


@server.tool()
async def ticket_list(
    ctx: Context, category: str = "duty", search_value: str = "", per_page: int = 10, page: int = 1, reverse: int = 1
) -> dict[str, Any]:
    """List tickets visible to the caller."""
    params = {"category": category, "per_page": per_page, "page": page, "reverse": reverse}
    if search_value:
        params["search_value"] = search_value
    return await loonflow_get("/tickets", params, forwarded_headers(ctx))


@server.tool()
async def ticket_detail(ctx: Context, ticket_id: str) -> dict[str, Any]:
    """Read one ticket: form, actions and admin actions."""
    headers = forwarded_headers(ctx)
    base = f"/tickets/{ticket_id}"
    form, actions, admin = await asyncio.gather(
        loonflow_get(f"{base}/ticket_detail_form", {}, headers),
        loonflow_get(f"{base}/ticket_detail_actions", {}, headers),
        loonflow_get(f"{base}/ticket_detail_admin_actions", {}, headers),
    )
    return {
        "form_schema": form.get("form_schema"),
        "actions": actions.get("actions"),
        "action_base_node_id": actions.get("action_base_node_id"),
        "admin_actions": admin.get("actions"),
        "admin_action_base_node_id": admin.get("action_base_node_id"),
    }


app = server.streamable_http_app(
    stateless_http=True,
    json_response=True,
    transport_security=TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=["127.0.0.1:*", "localhost:*"], allowed_origins=[]
    ),
)

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=options.port, workers=1, log_level="warning", access_log=False)
