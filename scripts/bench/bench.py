"""The benchmark behind `bash scripts/bench/run`: the gateway against a Python MCP server on the
official SDK, both in front of the same static nginx upstream, on this machine, in one run.

  python bench.py --gateway PATH [--out /tmp/lmg-bench.json]

Environment: BENCH_DURATION (seconds per wrk run, default 10), BENCH_CONNECTIONS (default
"1,8,64"), BENCH_STARTUP_RUNS (default 5), BENCH_KEEP=1 keeps the temporary folder.
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
import urllib.request

import benchlib as lib

TARGETS = {
    "ratio_64": 10.0,
    "added_p50_ms": 0.3,
    "added_p99_8_ms": 2.0,
    "fanout_p50_ms": 60.0,
    "rss_mib": 30.0,
    "startup_ms": 100.0,
}


def mcp_post(port, body, headers, timeout=10):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/mcp", data=json.dumps(body).encode(), method="POST")
    for name, value in headers.items():
        request.add_header(name, value)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, json.loads(response.read())


def call_once(port, token, mode, tool, arguments):
    params = {"name": tool, "arguments": arguments}
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Accept": "application/json, text/event-stream",
    }
    if mode == "modern":
        params["_meta"] = {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {},
        }
        headers.update({"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": tool})
    return mcp_post(port, {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params}, headers)


def check_server(name, port, token, ticket_id, rows):
    """One call per era and tool, checked for the right content, before anything is timed."""
    for mode in ("modern", "legacy"):
        status, answer = call_once(port, token, mode, "ticket_list", {"category": "all"})
        result = answer.get("result") or {}
        listed = (result.get("structuredContent") or {}).get("ticket_list")
        if status != 200 or result.get("isError") or not isinstance(listed, list) or len(listed) != rows:
            raise RuntimeError(f"{name} {mode} ticket_list gave an unexpected answer: {json.dumps(answer)[:600]}")
        status, answer = call_once(port, token, mode, "ticket_detail", {"ticket_id": ticket_id})
        result = answer.get("result") or {}
        form = (result.get("structuredContent") or {}).get("form_schema")
        if status != 200 or result.get("isError") or not isinstance(form, dict):
            raise RuntimeError(f"{name} {mode} ticket_detail gave an unexpected answer: {json.dumps(answer)[:600]}")


def requests_served(port):
    """The sum of lmg_requests_total on one gateway."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    return sum(float(l.rsplit(" ", 1)[1]) for l in text.splitlines() if l.startswith("lmg_requests_total"))


class Bench:
    def __init__(self, gateway, peer_python, duration, connections, startup_runs, work):
        self.gateway = gateway
        self.peer_python = peer_python
        self.duration = duration
        self.connections = connections
        self.startup_runs = startup_runs
        self.work = work
        self.children = lib.Children(os.path.join(work, "logs"))
        os.makedirs(self.children.log_dir, exist_ok=True)
        self.token = lib.fake_pat()
        self.result = {"machine": lib.machine_description(), "duration_s": duration, "gateway": gateway,
                       "load_average_before": lib.load_average()}

    def log(self, text):
        print(f"[bench] {text}", file=sys.stderr, flush=True)

    # -- set-up -----------------------------------------------------------------------------

    def start_upstreams(self):
        files = os.path.join(self.work, "www")
        self.upstream_info = lib.write_upstream_files(files)
        self.result["upstream"] = self.upstream_info
        self.ticket_id = self.upstream_info["ticket_id"]
        self.upstream_port = lib.free_port()
        conf = lib.static_upstream_conf(os.path.join(self.work, "nginx-upstream"), self.upstream_port, files, self.ticket_id)
        lib.start_nginx(self.children, "nginx-upstream", os.path.join(self.work, "nginx-upstream"), conf, self.upstream_port)
        self.slow_port = lib.free_port()
        slow = self.children.start(
            "slow-upstream",
            [sys.executable, os.path.join(lib.HERE, "slow_upstream.py"), "--port", str(self.slow_port), "--root", files,
             "--ticket-id", self.ticket_id, "--delay-ms", "50"],
        )
        lib.wait_until_answers(self.slow_port, "/api/v1.0/tickets", slow)
        self.log(f"upstream bodies from {self.upstream_info['source']}; nginx on {self.upstream_port}, "
                 f"50 ms upstream on {self.slow_port}")

    def start_gateway(self, name, base_port):
        port = lib.free_port()
        child = lib.start_gateway(self.children, name, self.gateway, port, f"http://127.0.0.1:{base_port}", self.work)
        return child, port

    def start_peer(self, name, base_port):
        port = lib.free_port()
        child = self.children.start(
            name, [self.peer_python, os.path.join(lib.HERE, "peer.py"), "--port", str(port), "--upstream",
                   f"http://127.0.0.1:{base_port}"])
        lib.wait_until_answers(port, "/mcp", child, accept=(200, 400, 405, 406))
        return child, port

    # -- measurements -----------------------------------------------------------------------

    def measure_startup(self):
        samples = []
        for index in range(self.startup_runs):
            child, _ = self.start_gateway(f"startup-{index}", self.upstream_port)
            samples.append(child.startup_seconds * 1000)
            self.children.stop(child)
        self.result["startup_ms"] = {
            "samples": [round(s, 1) for s in samples],
            "median": round(statistics.median(samples), 1),
            "max": round(max(samples), 1),
        }
        self.log(f"start-up to first /healthz answer: {self.result['startup_ms']}")

    def wrk(self, port, connections, mode, tool="ticket_list", arguments=None, path="/mcp", duration=None):
        return lib.run_wrk(
            f"http://127.0.0.1:{port}{path}", connections, duration or self.duration, mode, self.token, tool, arguments)

    def warm(self, port, tool="ticket_list", arguments=None):
        self.wrk(port, 8, "modern", tool, arguments, duration=2)

    def measure_direct(self):
        rows = []
        for connections in self.connections:
            row = self.wrk(self.upstream_port, connections, "get", path="/api/v1.0/tickets?category=all&per_page=10")
            rows.append(row)
            self.log(f"direct GET c={connections}: {row['calls_per_s']}/s p50 {row['p50_ms']} p99 {row['p99_ms']}")
        self.result["direct"] = rows

    def measure_load(self):
        gateway, gateway_port = self.start_gateway("gateway", self.upstream_port)
        time.sleep(1)
        idle = lib.rss_kib(gateway.pid)
        peer, peer_port = self.start_peer("peer", self.upstream_port)
        time.sleep(1)
        peer_idle = lib.rss_kib(peer.pid)
        rows = self.upstream_info["ticket_rows"]
        check_server("gateway", gateway_port, self.token, self.ticket_id, rows)
        check_server("peer", peer_port, self.token, self.ticket_id, rows)
        self.warm(gateway_port)
        self.warm(peer_port)
        detail = {"ticket_id": self.ticket_id}
        plan = [("ticket_list", "modern", None), ("ticket_list", "legacy", None), ("ticket_detail", "modern", detail)]
        results, gateway_peak, peer_peak = [], None, None
        for tool, mode, arguments in plan:
            for connections in self.connections:
                measure_rss = tool == "ticket_list" and mode == "modern" and connections == max(self.connections)
                with lib.RSSSampler(gateway.pid) as sampler, lib.Usage(gateway.pid) as usage:
                    g = self.wrk(gateway_port, connections, mode, tool, arguments)
                g.update(usage.per_call(g["calls"]))
                if measure_rss:
                    gateway_peak = sampler.peak_kib
                with lib.RSSSampler(peer.pid) as sampler, lib.Usage(peer.pid) as usage:
                    p = self.wrk(peer_port, connections, mode, tool, arguments)
                p.update(usage.per_call(p["calls"]))
                if measure_rss:
                    peer_peak = sampler.peak_kib
                ratio = round(g["calls_per_s"] / p["calls_per_s"], 1) if p["calls_per_s"] else None
                results.append({"tool": tool, "era": mode, "connections": connections, "gateway": g, "peer": p,
                                "ratio": ratio})
                self.log(f"{tool} {mode} c={connections}: gateway {g['calls_per_s']}/s p50 {g['p50_ms']} "
                         f"p99 {g['p99_ms']} err {g['errors']} cpu {g['cpu_us_per_call']} µs/call "
                         f"{g['switches_per_call']} switches/call | peer {p['calls_per_s']}/s p50 {p['p50_ms']} "
                         f"p99 {p['p99_ms']} err {p['errors']} cpu {p['cpu_us_per_call']} µs/call | x{ratio}")
        self.result["load"] = results
        self.result["memory"] = {
            "gateway_idle_kib": idle,
            "gateway_peak_kib": gateway_peak,
            "gateway_after_kib": lib.rss_kib(gateway.pid),
            "peer_idle_kib": peer_idle,
            "peer_peak_kib": peer_peak,
            "peak_during": f"ticket_list modern c={max(self.connections)}",
        }
        self.log(f"memory: {self.result['memory']}")
        self.children.stop(peer)
        self.children.stop(gateway)

    def measure_overhead(self):
        direct = {row["connections"]: row for row in self.result["direct"]}
        load = {row["connections"]: row["gateway"] for row in self.result["load"]
                if row["tool"] == "ticket_list" and row["era"] == "modern"}
        overhead = {}
        for connections in (1, 8):
            if connections in direct and connections in load:
                overhead[f"c{connections}"] = {
                    "direct_p50_ms": direct[connections]["p50_ms"],
                    "direct_p99_ms": direct[connections]["p99_ms"],
                    "gateway_p50_ms": load[connections]["p50_ms"],
                    "gateway_p99_ms": load[connections]["p99_ms"],
                    "added_p50_ms": round(load[connections]["p50_ms"] - direct[connections]["p50_ms"], 3),
                    "added_p99_ms": round(load[connections]["p99_ms"] - direct[connections]["p99_ms"], 3),
                }
        self.result["overhead"] = overhead

    def measure_fanout(self):
        gateway, gateway_port = self.start_gateway("gateway-fanout", self.slow_port)
        peer, peer_port = self.start_peer("peer-fanout", self.slow_port)
        arguments = {"ticket_id": self.ticket_id}
        rows = {}
        for name, port in (("gateway", gateway_port), ("peer", peer_port)):
            self.wrk(port, 1, "modern", "ticket_detail", arguments, duration=2)
            rows[name] = self.wrk(port, 1, "modern", "ticket_detail", arguments)
            self.log(f"fan-out ticket_detail via 50 ms upstream, {name}: p50 {rows[name]['p50_ms']} "
                     f"p99 {rows[name]['p99_ms']} err {rows[name]['errors']}")
        self.result["fanout"] = {"upstream_delay_ms": 50, "connections": 1, **rows}
        self.children.stop(peer)
        self.children.stop(gateway)

    def measure_scaleout(self):
        connections = max(self.connections)
        first, first_port = self.start_gateway("replica-a", self.upstream_port)
        second, second_port = self.start_gateway("replica-b", self.upstream_port)
        rows = {}
        for label, backends in (("one_replica", [first_port]), ("two_replicas", [first_port, second_port])):
            port = lib.free_port()
            prefix = os.path.join(self.work, "nginx-" + label)
            balancer = lib.start_nginx(self.children, "nginx-" + label, prefix,
                                       lib.balancer_conf(prefix, port, backends), port, probe="/mcp")
            self.warm(port)
            before = [requests_served(p) for p in backends]
            with lib.MachineBusy() as busy:
                row = self.wrk(port, connections, "modern")
            row["machine_cpu_busy_percent"] = busy.percent
            row["served_per_replica"] = [int(requests_served(p) - b) for p, b in zip(backends, before)]
            rows[label] = row
            self.log(f"scale-out {label} c={connections}: {row['calls_per_s']}/s p50 {row['p50_ms']} "
                     f"p99 {row['p99_ms']} err {row['errors']} served {row['served_per_replica']} "
                     f"CPUs busy {row['machine_cpu_busy_percent']}%")
            self.children.stop(balancer)
        one, two = rows["one_replica"]["calls_per_s"], rows["two_replicas"]["calls_per_s"]
        self.result["scaleout"] = {"connections": connections, **rows,
                                   "speedup": round(two / one, 2) if one else None}
        self.children.stop(second)
        self.children.stop(first)

    # -- verdicts ---------------------------------------------------------------------------

    def judge(self):
        r = self.result
        verdicts = []

        def add(name, target, value, met):
            verdicts.append({"target": name, "goal": target, "value": value, "met": bool(met)})

        top = max(self.connections)
        row = next((x for x in r["load"] if x["tool"] == "ticket_list" and x["era"] == "modern"
                    and x["connections"] == top), None)
        if row:
            errors = row["gateway"]["errors"]
            add(f"ticket_list c={top}: >= 10x peer calls/s, zero errors", ">= 10.0x, 0 errors",
                f"{row['ratio']}x, {errors} errors", (row["ratio"] or 0) >= TARGETS["ratio_64"] and errors == 0)
        if "c1" in r["overhead"]:
            value = r["overhead"]["c1"]["added_p50_ms"]
            add("added p50 over direct upstream call, c=1", "<= 0.3 ms", f"{value} ms", value <= TARGETS["added_p50_ms"])
        if "c8" in r["overhead"]:
            o = r["overhead"]["c8"]
            limit = round(o["direct_p99_ms"] + TARGETS["added_p99_8_ms"], 3)
            add("p99 at c=8 <= upstream p99 + 2 ms", f"<= {limit} ms", f"{o['gateway_p99_ms']} ms",
                o["gateway_p99_ms"] <= limit)
        value = r["fanout"]["gateway"]["p50_ms"]
        add("ticket_detail p50 with 50 ms upstream", "<= 60 ms", f"{value} ms", value <= TARGETS["fanout_p50_ms"])
        peak = r["memory"]["gateway_peak_kib"]
        if peak:
            add(f"RSS through the c={top} run", "<= 30 MiB", f"{peak / 1024:.1f} MiB", peak / 1024 <= TARGETS["rss_mib"])
        value = r["startup_ms"]["median"]
        add("start-up to first answer (median)", "<= 100 ms", f"{value} ms (max {r['startup_ms']['max']})",
            value <= TARGETS["startup_ms"])
        r["targets"] = verdicts

    # -- report -----------------------------------------------------------------------------

    def table(self) -> str:
        r = self.result
        m = r["machine"]
        lines = [
            f"loonflow-mcp-gateway benchmark: {m['nproc']} CPUs ({m['cpu']}), {m['memory_gib']} GiB; "
            f"{self.duration:g} s per run; upstream bodies from {r['upstream']['source']}",
            "",
            f"{'row':<28} {'gateway/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'err':>4} {'cpu µs':>6} | {'peer/s':>6} "
            f"{'p50 ms':>7} {'p99 ms':>8} {'err':>4} {'cpu µs':>6} | {'ratio':>6}",
        ]
        for row in r["load"]:
            g, p = row["gateway"], row["peer"]
            lines.append(
                f"{row['tool'] + ' ' + row['era'] + ' c=' + str(row['connections']):<28} {g['calls_per_s']:>9.0f} "
                f"{g['p50_ms']:>7.2f} {g['p99_ms']:>7.2f} {g['errors']:>4} {g['cpu_us_per_call'] or 0:>6} | "
                f"{p['calls_per_s']:>6.0f} {p['p50_ms']:>7.2f} {p['p99_ms']:>8.2f} {p['errors']:>4} "
                f"{p['cpu_us_per_call'] or 0:>6} | {row['ratio'] or 0:>5.1f}x")
        lines.append("(cpu µs: the server's own CPU time per call, user + system, all threads)")
        lines.append("")
        for row in r["direct"]:
            lines.append(f"{'direct GET nginx c=' + str(row['connections']):<28} {row['calls_per_s']:>9.0f} "
                         f"{row['p50_ms']:>7.2f} {row['p99_ms']:>7.2f} {row['errors']:>4}")
        for key, o in r["overhead"].items():
            lines.append(f"added by the gateway {key}: p50 +{o['added_p50_ms']} ms, p99 +{o['added_p99_ms']} ms")
        f = r["fanout"]
        lines.append(f"ticket_detail, 50 ms upstream, c=1: gateway p50 {f['gateway']['p50_ms']} ms "
                     f"(p99 {f['gateway']['p99_ms']}), peer p50 {f['peer']['p50_ms']} ms (p99 {f['peer']['p99_ms']})")
        mem = r["memory"]
        lines.append(f"RSS: gateway idle {mem['gateway_idle_kib'] / 1024:.1f} MiB, peak {mem['gateway_peak_kib'] / 1024:.1f} "
                     f"MiB ({mem['peak_during']}); peer idle {mem['peer_idle_kib'] / 1024:.1f} MiB, peak "
                     f"{mem['peer_peak_kib'] / 1024:.1f} MiB")
        s = r["startup_ms"]
        lines.append(f"start-up to first /healthz answer: median {s['median']} ms, max {s['max']} ms ({len(s['samples'])} runs)")
        so = r["scaleout"]
        lines.append(
            f"scale-out behind nginx, c={so['connections']}: one replica {so['one_replica']['calls_per_s']:.0f}/s, "
            f"two replicas {so['two_replicas']['calls_per_s']:.0f}/s (x{so['speedup']}); served per replica "
            f"{so['two_replicas']['served_per_replica']}; errors {so['one_replica']['errors']}/{so['two_replicas']['errors']}; "
            f"all CPUs busy {so['one_replica']['machine_cpu_busy_percent']}%/{so['two_replicas']['machine_cpu_busy_percent']}%")
        lines.append("")
        for v in r["targets"]:
            lines.append(f"{'MET   ' if v['met'] else 'MISSED'} {v['target']}: {v['value']} (goal {v['goal']})")
        return "\n".join(lines)

    def run(self):
        try:
            self.start_upstreams()
            self.measure_startup()
            self.measure_direct()
            self.measure_load()
            self.measure_overhead()
            self.measure_fanout()
            self.measure_scaleout()
            self.judge()
            self.result["load_average_after"] = lib.load_average()
        finally:
            self.children.stop_all()


def main():
    # SIGTERM unwinds like Ctrl-C, so every child process is stopped on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser()
    parser.add_argument("--gateway", required=True, help="the release loonflow-mcp-gateway executable")
    parser.add_argument("--out", default="/tmp/lmg-bench.json")
    options = parser.parse_args()
    duration = float(os.environ.get("BENCH_DURATION", "10"))
    connections = [int(c) for c in os.environ.get("BENCH_CONNECTIONS", "1,8,64").split(",")]
    startup_runs = int(os.environ.get("BENCH_STARTUP_RUNS", "5"))
    work = tempfile.mkdtemp(prefix="lmg-bench-")
    os.chmod(work, 0o755)
    bench = Bench(os.path.abspath(options.gateway), sys.executable, duration, connections, startup_runs, work)
    try:
        bench.run()
    except Exception:
        print(f"[bench] failed; logs are in {work}/logs", file=sys.stderr)
        raise
    with open(options.out, "w") as f:
        json.dump(bench.result, f, indent=2)
    print(bench.table())
    print(f"\nresults: {options.out}")
    if os.environ.get("BENCH_KEEP") != "1":
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
