"""Latency of each read tool on a real Loonflow, in one run: through the gateway, through
Loonflow's reference MCP server, and as the direct REST calls the tool needs (the floor a REST
client cannot beat), for the same user with a JWT, with a PAT, and with a PAT while the
gateway's PAT exchange is on. Never part of CI.

  python live.py --gateway PATH [--out /tmp/lmg-live.json]

Needs the Loonflow from shared/loonflow-live running (REST on :18000, reference MCP on :18002)
and its seed_state.json ($LOONFLOW_LIVE_DIR, default ~/.cache/loonflow-live). Starts two
gateways against the REST API: one as configured by default, one with auth.pat_exchange on and
the deployment's key (BENCH_LIVE_JWT_KEY, default Loonflow's stock JWT_SALT). The MCP servers are
driven over one keep-alive connection each with legacy-era JSON-RPC (the reference speaks
nothing else): the gateway stateless, the reference with its session. The three sides take
turns call by call (interleaved), so a change in the machine's load hits all of them alike.
BENCH_LIVE_CALLS (default 10) calls per tool, token and side; BENCH_LIVE_USER (default admin);
BENCH_LIVE_TOKENS (default jwt,pat,pat+exchange) the token cases to run.
"""
import argparse
import http.client
import json
import os
import signal
import statistics
import sys
import tempfile
import threading
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


STOCK_JWT_SALT = "aUApFqfQjyYVAPo8"


def rest_get(path, token):
    """One GET on a fresh connection (gunicorn's sync workers close every connection anyway)."""
    connection = http.client.HTTPConnection("127.0.0.1", 18000, timeout=120)
    connection.request("GET", "/api/v1.0" + path, headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    ok = response.status == 200 and json.loads(body or b"{}").get("code") == 0
    return ok, None if ok else f"HTTP {response.status} {body[:200]!r}"


def rest_call(paths, token):
    """Seconds for the tool's REST calls made directly, concurrently as the gateway makes them."""
    outcomes = [None] * len(paths)
    started = time.perf_counter()
    if len(paths) == 1:
        outcomes[0] = rest_get(paths[0], token)
    else:
        def run(index):
            outcomes[index] = rest_get(paths[index], token)
        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(paths))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    elapsed = time.perf_counter() - started
    failures = [o[1] for o in outcomes if not o[0]]
    return elapsed, not failures, failures[0] if failures else None


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


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def summarize(runs):
    values = [r[0] for r in runs]
    failures = [r[2] for r in runs if not r[1]]
    return {"p50_ms": round(statistics.median(values) * 1000, 1), "p90_ms": round(percentile(values, 0.9) * 1000, 1),
            "min_ms": round(min(values) * 1000, 1), "max_ms": round(max(values) * 1000, 1), "n": len(values),
            "errors": len(failures), "first_error": failures[0] if failures else None}


def exchange_config(work, key):
    path = os.path.join(work, "exchange.yaml")
    with open(path, "w") as f:
        f.write(f"auth:\n  jwt_hs256_key: {json.dumps(key)}\n  pat_exchange: true\n  pat_exchange_ttl_seconds: 60\n")
    return path


def measure(tool, arguments, rest_paths, token, gateway, reference, calls):
    """Interleaved calls: gateway, reference, direct REST, then again."""
    sides = {
        "gateway": lambda: gateway.call(tool, arguments),
        "reference": lambda: reference.call(tool, arguments),
        "rest": lambda: rest_call(rest_paths, token),
    }
    for run in sides.values():
        run()  # warm: connections, caches, the exchange's first verification
    runs = {name: [] for name in sides}
    for _ in range(calls):
        for name, run in sides.items():
            runs[name].append(run())
    return {name: summarize(samples) for name, samples in runs.items()}


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser()
    parser.add_argument("--gateway", required=True)
    parser.add_argument("--out", default="/tmp/lmg-live.json")
    options = parser.parse_args()
    calls = int(os.environ.get("BENCH_LIVE_CALLS", "10"))
    user = os.environ.get("BENCH_LIVE_USER", "admin")
    key = os.environ.get("BENCH_LIVE_JWT_KEY", STOCK_JWT_SALT)
    state_dir = os.environ.get("LOONFLOW_LIVE_DIR") or os.path.expanduser("~/.cache/loonflow-live")
    with open(os.path.join(state_dir, "seed_state.json")) as f:
        seed = json.load(f)
    ticket = seed["tickets"]["L1_at_lead"]
    detail_paths = [f"/tickets/{ticket}/{endpoint}"
                    for endpoint in ("ticket_detail_form", "ticket_detail_actions", "ticket_detail_admin_actions")]
    tools = [
        ("ticket_list", {"category": "all"}, ["/tickets?category=all&reverse=1&page=1&per_page=10"]),
        ("user_list", {}, ["/accounts/simple_users?page=1&per_page=10"]),
        ("ticket_detail", {"ticket_id": ticket}, detail_paths),
        ("ticket_prepare_handle", {"ticket_id": ticket}, detail_paths),
    ]
    if lib.http_get_status(18000, "/api/v1.0/tickets") is None or lib.http_get_status(REFERENCE_PORT, "/mcp") is None:
        sys.exit("Loonflow is not running: start shared/loonflow-live/up.sh (REST :18000, reference MCP :18002)")

    work = tempfile.mkdtemp(prefix="lmg-live-")
    children = lib.Children(work)
    result = {"machine": lib.machine_description(), "user": user, "calls_per_case": calls,
              "load_average_before": lib.load_average(), "rows": []}
    cases = [("jwt", seed["jwts"][user], "plain"), ("pat", seed["pats"][user], "plain"),
             ("pat+exchange", seed["pats"][user], "exchange")]
    wanted = os.environ.get("BENCH_LIVE_TOKENS")
    if wanted:
        cases = [case for case in cases if case[0] in wanted.split(",")]
    try:
        exe = os.path.abspath(options.gateway)
        ports = {"plain": lib.free_port(), "exchange": lib.free_port()}
        gateways = [lib.start_gateway(children, "gateway", exe, ports["plain"], REST, work)]
        child = children.start("gateway-exchange", [exe, "--port", str(ports["exchange"]), "--config", exchange_config(work, key)],
                               env=lib.gateway_env(REST), cwd=work)
        child.startup_seconds = lib.wait_until_answers(ports["exchange"], "/healthz", child)
        gateways.append(child)
        for kind, token, which in cases:
            gateway = MCPConnection(ports[which], token)
            reference = MCPConnection(REFERENCE_PORT, token)
            reference.open_session()
            for tool, arguments, rest_paths in tools:
                before = upstream_totals(ports[which])
                row = {"tool": tool, "token": kind, **measure(tool, arguments, rest_paths, token, gateway, reference, calls)}
                after = upstream_totals(ports[which])
                row["gateway_upstream"] = {
                    "requests_per_call": round((after[0] - before[0]) / (calls + 1), 2),
                    "mean_request_ms": round((after[1] - before[1]) / max(1, after[0] - before[0]) * 1000, 1),
                }
                row["reference_over_gateway"] = round(row["reference"]["p50_ms"] / row["gateway"]["p50_ms"], 2)
                row["gateway_over_rest"] = round(row["gateway"]["p50_ms"] / row["rest"]["p50_ms"], 3)
                result["rows"].append(row)
                print(f"[live] {tool} {kind}: gateway {row['gateway']['p50_ms']} ms, reference {row['reference']['p50_ms']} ms, "
                      f"REST {row['rest']['p50_ms']} ms", file=sys.stderr)
        for gateway in gateways:
            children.stop(gateway)
    finally:
        children.stop_all()
    result["load_average_after"] = lib.load_average()
    with open(options.out, "w") as f:
        json.dump(result, f, indent=2)
    print(f"\nLive Loonflow ({REST}), user {user}, {calls} interleaved calls per side, p50 / p90 ms\n")
    print(f"{'tool':<23}{'token':<14}{'gateway':>16}{'reference':>16}{'direct REST':>16}{'ref/gw':>8}{'gw/REST':>9}")
    for row in result["rows"]:
        cells = "".join(f"{row[side]['p50_ms']:>9} / {row[side]['p90_ms']:<5}" for side in ("gateway", "reference", "rest"))
        errors = any(row[side]["errors"] for side in ("gateway", "reference", "rest"))
        print(f"{row['tool']:<23}{row['token']:<14}{cells}{row['reference_over_gateway']:>7}x{row['gateway_over_rest']:>9}"
              + ("  ERRORS" if errors else ""))
    print("\nThe gateway's Loonflow requests per call and their mean duration (ms):")
    for row in result["rows"]:
        u = row["gateway_upstream"]
        print(f"  {row['tool']:<23}{row['token']:<14}{u['requests_per_call']:>5} x {u['mean_request_ms']}")
    print(f"\nresults: {options.out}")


if __name__ == "__main__":
    main()
