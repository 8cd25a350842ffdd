"""Latency of each read tool on a real Loonflow: through the gateway and through Loonflow's
reference MCP server, for the same user with a PAT and with a JWT. Never part of CI.

  python live.py --gateway PATH [--out /tmp/lmg-live.json]

Needs the Loonflow from shared/loonflow-live running (REST on :18000, reference MCP on :18002)
and its seed_state.json ($LOONFLOW_LIVE_DIR, default ~/.cache/loonflow-live). Starts the gateway
itself against the REST API. Both servers are driven over one keep-alive connection each with
legacy-era JSON-RPC (the reference speaks nothing else): the gateway stateless, the reference
with its session. BENCH_LIVE_CALLS (default 5) calls per tool and token; BENCH_LIVE_USER
(default admin).
"""
import argparse
import http.client
import json
import os
import signal
import statistics
import sys
import tempfile
import time
import urllib.request

import benchlib as lib

REST = "http://127.0.0.1:18000"
REFERENCE_PORT = 18002


class MCPConnection:
    """JSON-RPC over one keep-alive HTTP connection; answers may be JSON or one SSE event."""

    def __init__(self, port, token):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json, text/event-stream",
            "Host": f"127.0.0.1:{port}",
        }
        self.next_id = 1

    def post(self, message):
        try:
            response, body = self._exchange(message)
        except (ConnectionError, http.client.RemoteDisconnected):
            # The reference's uvicorn drops a keep-alive connection idle for 5 s; reads are safe to resend.
            self.connection.close()
            response, body = self._exchange(message)
        session = response.getheader("mcp-session-id")
        if session:
            self.headers["Mcp-Session-Id"] = session
        if not body:
            return response.status, None
        if response.getheader("content-type", "").startswith("text/event-stream"):
            data = [line[5:].strip() for line in body.splitlines() if line.startswith("data:")]
            return response.status, json.loads(data[-1]) if data else None
        return response.status, json.loads(body)

    def _exchange(self, message):
        self.connection.request("POST", "/mcp", body=json.dumps(message), headers=self.headers)
        response = self.connection.getresponse()
        return response, response.read().decode()

    def request(self, method, params):
        self.next_id += 1
        return self.post({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})

    def open_session(self):
        status, answer = self.request("initialize", {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "lmg-live-bench", "version": "1"}})
        if status != 200 or "result" not in (answer or {}):
            raise RuntimeError(f"initialize failed: {status} {answer}")
        self.post({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def call(self, tool, arguments):
        """Seconds for one tools/call, and whether it succeeded."""
        started = time.perf_counter()
        status, answer = self.request("tools/call", {"name": tool, "arguments": arguments})
        elapsed = time.perf_counter() - started
        result = (answer or {}).get("result") or {}
        ok = status == 200 and result.get("isError") is False
        return elapsed, ok, (None if ok else json.dumps(answer)[:300])


def rest_get(path, token):
    connection = http.client.HTTPConnection("127.0.0.1", 18000, timeout=120)
    started = time.perf_counter()
    connection.request("GET", "/api/v1.0" + path, headers={"Authorization": f"Bearer {token}"})
    response = connection.getresponse()
    response.read()
    connection.close()
    return time.perf_counter() - started, response.status


def upstream_totals(port):
    """Loonflow requests the gateway made so far, and the seconds they took (from /metrics)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
    count = seconds = 0.0
    for line in text.splitlines():
        if line.startswith("lmg_upstream_requests_total{"):
            count += float(line.rsplit(" ", 1)[1])
        elif line.startswith("lmg_upstream_duration_seconds_sum{"):
            seconds += float(line.rsplit(" ", 1)[1])
    return count, seconds


def summarize(samples):
    values = sorted(samples)
    return {"p50_ms": round(statistics.median(values) * 1000, 1), "min_ms": round(values[0] * 1000, 1),
            "max_ms": round(values[-1] * 1000, 1), "n": len(values)}


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser()
    parser.add_argument("--gateway", required=True)
    parser.add_argument("--out", default="/tmp/lmg-live.json")
    options = parser.parse_args()
    calls = int(os.environ.get("BENCH_LIVE_CALLS", "5"))
    user = os.environ.get("BENCH_LIVE_USER", "admin")
    state_dir = os.environ.get("LOONFLOW_LIVE_DIR") or os.path.expanduser("~/.cache/loonflow-live")
    with open(os.path.join(state_dir, "seed_state.json")) as f:
        seed = json.load(f)
    tokens = {"pat": seed["pats"][user], "jwt": seed["jwts"][user]}
    ticket = seed["tickets"]["L1_at_lead"]
    tools = [
        ("ticket_list", {"category": "all"}),
        ("user_list", {}),
        ("ticket_detail", {"ticket_id": ticket}),
        ("ticket_prepare_handle", {"ticket_id": ticket}),
    ]
    if lib.http_get_status(18000, "/api/v1.0/tickets") is None or lib.http_get_status(REFERENCE_PORT, "/mcp") is None:
        sys.exit("Loonflow is not running: start shared/loonflow-live/up.sh (REST :18000, reference MCP :18002)")

    work = tempfile.mkdtemp(prefix="lmg-live-")
    children = lib.Children(work)
    result = {"machine": lib.machine_description(), "user": user, "calls_per_case": calls,
              "load_average_before": lib.load_average(), "rest": {}, "tools": []}
    try:
        port = lib.free_port()
        gateway = lib.start_gateway(children, "gateway", os.path.abspath(options.gateway), port, REST, work)
        for kind, token in tokens.items():
            samples = [rest_get("/tickets?category=all&per_page=10", token)[0] for _ in range(calls)]
            result["rest"][kind] = {"GET /tickets": summarize(samples)}
            print(f"[live] REST GET /tickets with {kind}: {result['rest'][kind]['GET /tickets']}", file=sys.stderr)
        for kind, token in tokens.items():
            servers = {"gateway": MCPConnection(port, token), "reference": MCPConnection(REFERENCE_PORT, token)}
            servers["reference"].open_session()
            for tool, arguments in tools:
                row = {"tool": tool, "token": kind}
                for name, connection in servers.items():
                    connection.call(tool, arguments)  # warm: connection, caches
                    before = upstream_totals(port)
                    runs = [connection.call(tool, arguments) for _ in range(calls)]
                    if name == "gateway":
                        after = upstream_totals(port)
                        row["gateway_upstream"] = {
                            "requests_per_call": round((after[0] - before[0]) / calls, 2),
                            "mean_request_ms": round((after[1] - before[1]) / max(1, after[0] - before[0]) * 1000, 1),
                        }
                    failures = [r[2] for r in runs if not r[1]]
                    row[name] = {**summarize([r[0] for r in runs]), "errors": len(failures),
                                 "first_error": failures[0] if failures else None}
                row["gateway_over_reference"] = round(row["gateway"]["p50_ms"] / row["reference"]["p50_ms"], 2)
                result["tools"].append(row)
                print(f"[live] {tool} {kind}: gateway p50 {row['gateway']['p50_ms']} ms "
                      f"(err {row['gateway']['errors']}), reference p50 {row['reference']['p50_ms']} ms "
                      f"(err {row['reference']['errors']})", file=sys.stderr)
        children.stop(gateway)
    finally:
        children.stop_all()
    result["load_average_after"] = lib.load_average()
    with open(options.out, "w") as f:
        json.dump(result, f, indent=2)
    print(f"\nLive Loonflow ({REST}), user {user}, {calls} calls per case, p50 ms (min-max)\n")
    for kind, rows in result["rest"].items():
        r = rows["GET /tickets"]
        print(f"  REST GET /tickets directly, {kind}: {r['p50_ms']} ({r['min_ms']}-{r['max_ms']})")
    print(f"\n{'tool':<24}{'token':<6}{'gateway':>22}{'reference':>22}{'ratio':>8}")
    for row in result["tools"]:
        g, r = row["gateway"], row["reference"]
        print(f"{row['tool']:<24}{row['token']:<6}{g['p50_ms']:>10} ({g['min_ms']}-{g['max_ms']})"
              f"{r['p50_ms']:>10} ({r['min_ms']}-{r['max_ms']}){row['gateway_over_reference']:>8}"
              + ("  ERRORS" if g["errors"] or r["errors"] else ""))
    print("\nThe gateway's Loonflow requests per call and their mean duration (ms):")
    for row in result["tools"]:
        u = row["gateway_upstream"]
        print(f"  {row['tool']:<24}{row['token']:<6}{u['requests_per_call']:>5} x {u['mean_request_ms']}")
    print(f"\nresults: {options.out}")


if __name__ == "__main__":
    main()
