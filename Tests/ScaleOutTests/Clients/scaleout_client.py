"""Calls ticket_list several times through a load balancer in front of gateway replicas, with
the official Python SDK installed in the running venv, then reads every replica's /metrics.

mcp 2.x runs the modern protocol (Client with mode "2026-07-28"); mcp 1.x runs the legacy
protocol (streamablehttp_client + ClientSession, with or without a session id). Settings come
from the environment, so no token appears on a command line:
  LMG_URL            the balancer's MCP endpoint
  LMG_TOKEN          the Loonflow token, sent as Authorization: Bearer
  LMG_CALLS          how many ticket_list calls to make
  LMG_EXPECT_ROWS    rows (and total) every answer must carry
  LMG_REPLICAS       comma-separated base URLs of the replicas, for /metrics
Prints one JSON summary line; exits 1 on any mismatch.
"""

import asyncio
import json
import os
import sys
import urllib.request
from importlib.metadata import version


class Mismatch(Exception):
    pass


def setting(name):
    value = os.environ.get(name)
    if not value:
        raise Mismatch(f"{name} is not set")
    return value


def check_answer(result, expected_rows):
    """Fails unless one ticket_list answer is a success carrying the expected rows."""
    if result.get("isError") is not False:
        raise Mismatch(f"ticket_list failed: {json.dumps(result)[:400]}")
    structured = result.get("structuredContent") or {}
    rows = structured.get("ticket_list") or []
    if len(rows) != expected_rows or structured.get("total") != expected_rows:
        raise Mismatch(f"ticket_list gave {len(rows)} rows, total {structured.get('total')}")
    text = (result.get("content") or [{}])[0].get("text", "")
    if json.loads(text) != structured:
        raise Mismatch("the text block differs from structuredContent")


def dump(model):
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


async def run_modern(url, headers, calls, expected_rows, summary):
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    async with create_mcp_http_client(headers=headers) as http:
        async with Client(streamable_http_client(url, http_client=http), mode="2026-07-28") as client:
            summary["protocol_version"] = client.protocol_version
            for _ in range(calls):
                check_answer(dump(await client.call_tool("ticket_list", {"category": "all"})), expected_rows)
                summary["calls_ok"] += 1


async def run_legacy(url, headers, calls, expected_rows, summary):
    from mcp import ClientSession
    from mcp.client.streamable_http import streamablehttp_client

    async with streamablehttp_client(url, headers=headers) as (read, write, session_id):
        async with ClientSession(read, write) as session:
            initialized = await session.initialize()
            summary["protocol_version"] = initialized.protocolVersion
            summary["session_id_prefix"] = (session_id() or "")[:3] or None
            tools = await session.list_tools()
            summary["tools"] = len(tools.tools)
            for _ in range(calls):
                check_answer(dump(await session.call_tool("ticket_list", {"category": "all"})), expected_rows)
                summary["calls_ok"] += 1


def replica_counts(base_url):
    """Requests a replica served, from its lmg_requests_total counters: ok tools/call, and
    JSON-RPC messages it refused or failed (a session id it did not accept shows here). GET and
    DELETE, which carry no message, are left out."""
    with urllib.request.urlopen(base_url + "/metrics", timeout=10) as response:
        text = response.read().decode()
    ok_calls, refused = 0, 0
    for line in text.splitlines():
        if not line.startswith("lmg_requests_total{"):
            continue
        labels, _, count = line.rpartition(" ")
        if 'method="tools/call"' in labels and 'outcome="ok"' in labels:
            ok_calls += int(float(count))
        if 'method="none"' not in labels and 'outcome="ok"' not in labels:
            refused += int(float(count))
    return {"tool_calls_ok": ok_calls, "not_ok": refused}


async def main():
    url = setting("LMG_URL")
    headers = {"Authorization": f"Bearer {setting('LMG_TOKEN')}"}
    calls = int(setting("LMG_CALLS"))
    expected_rows = int(setting("LMG_EXPECT_ROWS"))
    sdk = version("mcp")
    summary = {"sdk": sdk, "calls_ok": 0}
    if sdk.startswith("1."):
        await run_legacy(url, headers, calls, expected_rows, summary)
    else:
        await run_modern(url, headers, calls, expected_rows, summary)
    summary["replicas"] = [replica_counts(base) for base in setting("LMG_REPLICAS").split(",")]
    print(json.dumps(summary, sort_keys=True))
    sys.stdout.flush()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except Mismatch as error:
        print(f"MISMATCH: {error}", file=sys.stderr)
        sys.exit(1)
