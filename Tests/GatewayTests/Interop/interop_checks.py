"""What every interop client checks, whichever SDK version drives the gateway.

Configuration comes from the environment so no token ever appears on a command line:
  LMG_TRANSPORT       http or stdio
  LMG_URL             the MCP endpoint (http)
  LMG_TOKEN           the Loonflow token (sent as Authorization: Bearer over http,
                      as LOONFLOW_MCP_ACCESS_TOKEN to the spawned gateway over stdio)
  LMG_GATEWAY         the gateway executable (stdio)
  LMG_UPSTREAM        the Loonflow base URL the spawned gateway uses (stdio)
  LMG_EXPECT_TICKETS  ticket_list total expected for category=duty
  LMG_EXPECT_USERS    user_list rows expected
"""

import json
import os
import sys

TOOL_NAMES = ["ticket_list", "user_list", "ticket_detail", "ticket_prepare_handle", "ticket_handle",
              "workflow_list", "ticket_prepare_create", "ticket_create", "ticket_history"]


class Mismatch(Exception):
    pass


def setting(name):
    value = os.environ.get(name)
    if not value:
        raise Mismatch(f"{name} is not set")
    return value


def gateway_environment():
    """The environment of a gateway spawned for stdio: only what it needs."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LOONFLOW_BASE_URL": setting("LMG_UPSTREAM"),
        "LOONFLOW_MCP_ACCESS_TOKEN": setting("LMG_TOKEN"),
        "LOONFLOW_MCP_LOG_LEVEL": "debug",
    }
    return env


def dump(model):
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def expect(condition, message):
    if not condition:
        raise Mismatch(message)


def text_of(result):
    content = result.get("content") or []
    return content[0].get("text", "") if content else ""


async def exercise(list_tools, call_tool):
    """Lists tools, calls ticket_list and user_list, and provokes a tool error."""
    summary = {}
    listed = dump(await list_tools())
    names = [tool["name"] for tool in listed["tools"]]
    expect(names == TOOL_NAMES, f"tools/list names {names}")
    for tool in listed["tools"]:
        expect(tool["inputSchema"].get("additionalProperties") is False, f"{tool['name']} schema is open")
        expect("outputSchema" in tool, f"{tool['name']} has no outputSchema")
        expect(tool.get("title"), f"{tool['name']} has no title")
    summary["tools"] = names
    summary["read_only"] = {t["name"]: t.get("annotations", {}).get("readOnlyHint") for t in listed["tools"]}

    tickets = dump(await call_tool("ticket_list", {"category": "duty"}))
    expect(tickets.get("isError") is False, f"ticket_list failed: {text_of(tickets)}")
    structured = tickets.get("structuredContent") or {}
    expect(structured.get("total") == int(setting("LMG_EXPECT_TICKETS")), f"ticket_list total {structured.get('total')}")
    expect(json.loads(text_of(tickets)) == structured, "ticket_list text block differs from structuredContent")
    summary["ticket_total"] = structured.get("total")
    summary["ticket_rows"] = len(structured.get("ticket_list") or [])

    users = dump(await call_tool("user_list", {}))
    expect(users.get("isError") is False, f"user_list failed: {text_of(users)}")
    rows = (users.get("structuredContent") or {}).get("user_list") or []
    expect(len(rows) == int(setting("LMG_EXPECT_USERS")), f"user_list rows {len(rows)}")
    summary["user_rows"] = len(rows)

    bad = dump(await call_tool("ticket_list", {"category": "bogus"}))
    expect(bad.get("isError") is True, "a bad category did not give a tool error")
    expect("category" in text_of(bad), f"tool error text: {text_of(bad)}")
    summary["bad_category_error"] = text_of(bad)
    return summary


BAD_TOKEN = "not-a-loonflow-token"


def leaves(error):
    """Every exception inside (possibly nested) exception groups."""
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            yield from leaves(inner)
    else:
        yield error


def finish(summary):
    print(json.dumps(summary, sort_keys=True))
    sys.stdout.flush()


def fail(error):
    print(f"MISMATCH: {error}", file=sys.stderr)
    sys.stderr.flush()
    sys.exit(1)
