"""Peak memory of the gateway while its Loonflow misbehaves: the measurement behind
`bash scripts/bench/abuse-memory`. Standard library only.

  python abuse_memory.py --gateway PATH [--rounds 6] [--concurrency 8]

A loopback stand-in for Loonflow answers the gateway's ticket_list reads in turn with: a body
over the gateway's size cap (declared, and chunked), a body just under the cap that is not
JSON, a gzip bomb, headers and then silence, half a body and a close, a trickled body, and a
status line that is not HTTP. Clients call ticket_list `concurrency` at a time for `rounds`
rounds over every behaviour. Printed: resident memory at the start, its peak (the kernel's
VmHWM high-water mark, plus 50 ms samples), and at the end.
"""
import argparse
import asyncio
import gzip
import json
import os
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import benchlib as lib

CAP = 16 * 1024 * 1024  # upstream.max_response_bytes, the default
OVER_CAP = b"[" + b"1," * (10 * 1024 * 1024) + b"1]"  # 20 MiB of valid JSON
UNDER_CAP = b"x" * (CAP - 4096)  # not JSON, just under the cap
BOMB = gzip.compress(b" " * (256 * 1024 * 1024), compresslevel=9)  # 256 MiB when inflated
BEHAVIOURS = ["over_cap", "over_cap_chunked", "under_cap_garbage", "gzip_bomb", "headers_then_hang",
              "half_body_then_close", "trickle", "not_http"]


async def misbehave(reader, writer, counter):
    try:
        await reader.readuntil(b"\r\n\r\n")
        kind = BEHAVIOURS[counter[0] % len(BEHAVIOURS)]
        counter[0] += 1
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        if kind == "over_cap":
            writer.write(head + b"Content-Length: %d\r\n\r\n" % len(OVER_CAP) + OVER_CAP)
        elif kind == "over_cap_chunked":
            writer.write(head + b"Transfer-Encoding: chunked\r\n\r\n")
            for start in range(0, len(OVER_CAP), 1 << 20):
                piece = OVER_CAP[start:start + (1 << 20)]
                writer.write(b"%x\r\n" % len(piece) + piece + b"\r\n")
                await writer.drain()
            writer.write(b"0\r\n\r\n")
        elif kind == "under_cap_garbage":
            writer.write(head + b"Content-Length: %d\r\n\r\n" % len(UNDER_CAP) + UNDER_CAP)
        elif kind == "gzip_bomb":
            writer.write(head + b"Content-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(BOMB) + BOMB)
        elif kind == "headers_then_hang":
            writer.write(head + b"Content-Length: 1000\r\n\r\n")
            await writer.drain()
            await asyncio.sleep(30)
        elif kind == "half_body_then_close":
            writer.write(head + b"Content-Length: %d\r\n\r\n" % len(UNDER_CAP) + UNDER_CAP[: len(UNDER_CAP) // 2])
        elif kind == "trickle":
            writer.write(head + b"Content-Length: %d\r\n\r\n" % (4 * 1024 * 1024))
            for _ in range(64):
                writer.write(b"y" * 65536)
                await writer.drain()
                await asyncio.sleep(0.01)
        else:
            writer.write(b"SSH-2.0-OpenSSH_9.2\r\n" + b"z" * 65536)
        await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def serve_upstream(port, ready):
    async def main():
        counter = [0]
        server = await asyncio.start_server(lambda r, w: misbehave(r, w, counter), "127.0.0.1", port, backlog=512)
        ready.set()
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def call(port, token):
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "ticket_list", "arguments": {}}}
    request = urllib.request.Request(f"http://127.0.0.1:{port}/mcp", data=json.dumps(body).encode(), method="POST")
    for name, value in {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                        "Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-11-25"}.items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.loads(response.read())
            return bool((answer.get("result") or {}).get("isError"))
    except urllib.error.HTTPError as error:
        return error.code


def status_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gateway", required=True)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--concurrency", type=int, default=8)
    options = parser.parse_args()

    upstream_port, gateway_port = lib.free_port(), lib.free_port()
    ready = threading.Event()
    threading.Thread(target=serve_upstream, args=(upstream_port, ready), daemon=True).start()
    ready.wait(10)
    work = tempfile.mkdtemp(prefix="lmg-abuse-")
    config = os.path.join(work, "gateway.yaml")
    with open(config, "w") as f:
        f.write(f'upstream:\n  base_url: "http://127.0.0.1:{upstream_port}"\n  timeout_ms: 3000\n'
                "logging:\n  level: warn\n")
    children = lib.Children(work)
    try:
        gateway = children.start("gateway", [options.gateway, "serve", "--config", config, "--host", "127.0.0.1",
                                             "--port", str(gateway_port)], env=lib.gateway_env(""))
        lib.wait_until_answers(gateway_port, "/healthz", gateway)
        token = lib.fake_pat()
        call(gateway_port, token)  # warm up: what serving at all costs
        start = status_kib(gateway.pid, "VmRSS")
        outcomes = {}
        calls = options.rounds * len(BEHAVIOURS)
        began = time.monotonic()
        with lib.RSSSampler(gateway.pid, interval=0.05) as sampler, ThreadPoolExecutor(options.concurrency) as pool:
            for outcome in pool.map(lambda _: call(gateway_port, token), range(calls)):
                outcomes[str(outcome)] = outcomes.get(str(outcome), 0) + 1
        spent = time.monotonic() - began
        peak = status_kib(gateway.pid, "VmHWM")
        end = status_kib(gateway.pid, "VmRSS")
        if not gateway.alive():
            print(f"the gateway died:\n{gateway.tail()}", file=sys.stderr)
            return 1
        mib = lambda kib: f"{kib / 1024:.1f} MiB"
        print(f"misbehaving-upstream phase: {calls} ticket_list calls, {options.concurrency} at a time, {spent:.1f} s")
        print(f"  tool errors / other answers: {outcomes}")
        print(f"  RSS at start      {mib(start)}")
        print(f"  RSS peak (VmHWM)  {mib(peak)}   (sampled peak {mib(sampler.peak_kib)})")
        print(f"  RSS at end        {mib(end)}")
        print(json.dumps({"start_kib": start, "peak_kib": peak, "sampled_peak_kib": sampler.peak_kib, "end_kib": end,
                          "calls": calls, "concurrency": options.concurrency}))
        return 0
    finally:
        children.stop_all()


if __name__ == "__main__":
    sys.exit(main())
