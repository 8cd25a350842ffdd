"""Two gateway builds side by side on one machine, in alternating rounds, so that the noise of a
shared machine falls on both alike: `bash scripts/bench/compare BEFORE AFTER`.

Each round runs ticket_list (modern, legacy) at 1 and 64 connections against the same static
nginx upstream for each build in turn, and the direct upstream call at 1 connection. Prints the
median of the rounds per build, the after/before ratio, the added p50 over the direct call, and
each build's peak RSS. Environment: BENCH_DURATION (seconds per wrk run, default 5),
BENCH_ROUNDS (default 3), BENCH_CONNECTIONS (default "1,64").
"""
import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

import benchlib as lib


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("before", help="the release executable to compare against")
    parser.add_argument("after", help="the release executable under test")
    parser.add_argument("--out", default="/tmp/lmg-compare.json")
    options = parser.parse_args()
    duration = float(os.environ.get("BENCH_DURATION", "5"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    connections = [int(c) for c in os.environ.get("BENCH_CONNECTIONS", "1,64").split(",")]
    work = tempfile.mkdtemp(prefix="lmg-compare-")
    os.chmod(work, 0o755)
    children = lib.Children(os.path.join(work, "logs"))
    os.makedirs(children.log_dir, exist_ok=True)
    token = lib.fake_pat()
    builds = {"before": os.path.abspath(options.before), "after": os.path.abspath(options.after)}
    samples = {}
    try:
        files = os.path.join(work, "www")
        info = lib.write_upstream_files(files)
        upstream = lib.free_port()
        prefix = os.path.join(work, "nginx-upstream")
        lib.start_nginx(children, "nginx-upstream", prefix,
                        lib.static_upstream_conf(prefix, upstream, files, info["ticket_id"]), upstream)
        gateways = {}
        for name, exe in builds.items():
            port = lib.free_port()
            child = lib.start_gateway(children, name, exe, port, f"http://127.0.0.1:{upstream}", work)
            gateways[name] = (child, port)
            lib.run_wrk(f"http://127.0.0.1:{port}/mcp", 8, 2, "modern", token)
        peaks = {name: 0 for name in builds}
        direct_url = f"http://127.0.0.1:{upstream}/api/v1.0/tickets?category=all&per_page=10"
        for index in range(rounds):
            row = lib.run_wrk(direct_url, 1, duration, "get", token)
            samples.setdefault("direct c=1", {}).setdefault("direct", []).append(row)
            # Alternate which build goes first, so neither always runs on a cooler machine.
            order = list(builds) if index % 2 == 0 else list(reversed(builds))
            for mode in ("modern", "legacy"):
                for c in connections:
                    for name in order:
                        child, port = gateways[name]
                        with lib.RSSSampler(child.pid) as sampler, lib.Usage(child.pid) as usage:
                            row = lib.run_wrk(f"http://127.0.0.1:{port}/mcp", c, duration, mode, token)
                        row.update(usage.per_call(row["calls"]))
                        peaks[name] = max(peaks[name], sampler.peak_kib or 0)
                        samples.setdefault(f"ticket_list {mode} c={c}", {}).setdefault(name, []).append(row)
            print(f"[compare] round {index + 1}/{rounds} done", file=sys.stderr, flush=True)
    finally:
        children.stop_all()
    report(samples, peaks, duration, rounds)
    with open(options.out, "w") as f:
        json.dump({"builds": builds, "samples": samples, "peak_rss_kib": peaks}, f, indent=2)
    print(f"\nresults: {options.out}")
    shutil.rmtree(work, ignore_errors=True)


def median(rows, key):
    values = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(values) if values else None


def report(samples, peaks, duration, rounds):
    print(f"median of {rounds} alternating rounds, {duration:g} s each")
    print(f"{'row':<26} {'before/s':>9} {'after/s':>9} {'ratio':>6} | {'p50 before':>10} {'p50 after':>9} | "
          f"{'cpu µs b':>8} {'cpu µs a':>8} | {'switch b':>8} {'switch a':>8}")
    direct_p50 = median(samples["direct c=1"]["direct"], "p50_ms")
    for name, rows in samples.items():
        if name.startswith("direct"):
            continue
        b, a = rows["before"], rows["after"]
        rb, ra = median(b, "calls_per_s"), median(a, "calls_per_s")
        print(f"{name:<26} {rb:>9.0f} {ra:>9.0f} {ra / rb:>5.2f}x | {median(b, 'p50_ms'):>10.3f} "
              f"{median(a, 'p50_ms'):>9.3f} | {median(b, 'cpu_us_per_call') or 0:>8.0f} "
              f"{median(a, 'cpu_us_per_call') or 0:>8.0f} | {median(b, 'switches_per_call') or 0:>8.1f} "
              f"{median(a, 'switches_per_call') or 0:>8.1f}")
    for build in ("before", "after"):
        rows = samples.get("ticket_list modern c=1", {}).get(build)
        if rows:
            print(f"added p50 over the direct call (c=1, modern), {build}: "
                  f"{median(rows, 'p50_ms') - direct_p50:.3f} ms (direct p50 {direct_p50:.3f} ms)")
    print(f"peak RSS: before {peaks['before'] / 1024:.1f} MiB, after {peaks['after'] / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
