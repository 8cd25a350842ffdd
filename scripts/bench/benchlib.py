"""Pieces shared by scripts/bench/bench.py and scripts/bench/live.py: ports, child processes,
nginx configurations, upstream bodies, wrk runs, resident-memory sampling. Standard library only.
"""
import glob
import json
import os
import signal
import socket
import subprocess
import threading
import time
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts", "lib"))
import lmgscripts  # noqa: E402

DETAIL_PARTS = ("ticket_detail_form", "ticket_detail_actions", "ticket_detail_admin_actions")


# A free loopback port, and a well-formed PAT (never checked: the static upstream does not look
# at it), from the scripts' shared module.
free_port = lmgscripts.free_port
fake_pat = lmgscripts.fake_pat


# ---------------------------------------------------------------------------------------------
# Upstream bodies


def _demo_bodies(directory: str):
    """(tickets body, ticket id, {part: body}) from a fixture set, or None when it lacks them."""
    lists, details = [], {}
    for path in sorted(glob.glob(os.path.join(directory, "*.json"))):
        if os.path.basename(path) == "tokens.json":
            continue
        try:
            with open(path) as f:
                fixture = json.load(f)
            request, response = fixture["request"], fixture["response"]
            body = response.get("body")
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if request.get("method") != "GET" or response.get("status") != 200 or not isinstance(body, dict):
            continue
        if body.get("code") != 0:
            continue
        parts = request.get("path", "").split("/")
        if parts[-2:] == ["v1.0", "tickets"] and isinstance(body.get("data"), dict):
            rows = body["data"].get("ticket_list")
            if isinstance(rows, list) and rows:
                lists.append((len(rows), body))
        elif len(parts) >= 2 and parts[-1] in DETAIL_PARTS and parts[-3] == "tickets":
            caller = (request.get("headers") or {}).get("authorization", "")
            details.setdefault((parts[-2], caller), {})[parts[-1]] = body
    complete = [(key, bodies) for key, bodies in details.items() if len(bodies) == len(DETAIL_PARTS)]
    if not lists or not complete:
        return None
    lists.sort(key=lambda item: item[0])
    (ticket_id, _), bodies = complete[0]
    return lists[-1][1], ticket_id, bodies


def _recorded_bodies(recordings: str):
    def body(name):
        with open(os.path.join(recordings, name + ".json")) as f:
            fixture = json.load(f)
        return fixture["request"]["path"], fixture["response"]["body"]

    _, tickets = body("tickets.category.all.admin")
    parts = {}
    ticket_id = None
    for part in DETAIL_PARTS:
        path, parts[part] = body(f"ticket.{part}.L1_at_lead.admin")
        ticket_id = path.split("/")[-2]
    return tickets, ticket_id, parts


def write_upstream_files(directory: str) -> dict:
    """Writes tickets.json and the three detail bodies into `directory`; says where they came from.

    Fixtures/demo is preferred when it holds a ticket list and one ticket's three detail answers;
    otherwise the REST recordings in shared/recordings/rest are used.
    """
    demo = os.path.join(ROOT, "Fixtures", "demo")
    found = _demo_bodies(demo) if os.path.isdir(demo) else None
    source = "Fixtures/demo"
    if found is None:
        shared = os.environ.get("LOONFLOW_SHARED_DIR") or os.path.join(os.path.dirname(ROOT), "shared")
        found = _recorded_bodies(os.path.join(shared, "recordings", "rest"))
        source = "shared/recordings/rest (tickets.category.all.admin, ticket.*.L1_at_lead.admin)"
    tickets, ticket_id, parts = found
    os.makedirs(directory, exist_ok=True)
    sizes = {}
    for name, body in [("tickets", tickets)] + list(parts.items()):
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        with open(os.path.join(directory, name + ".json"), "wb") as f:
            f.write(data)
        sizes[name] = len(data)
    os.chmod(directory, 0o755)
    return {
        "source": source,
        "ticket_id": ticket_id,
        "ticket_rows": len(tickets["data"]["ticket_list"]),
        "body_bytes": sizes,
    }


# ---------------------------------------------------------------------------------------------
# Child processes


class Child:
    """A child process with its output in a file; stopped with SIGTERM (SIGKILL after 5 s)."""

    def __init__(self, name, argv, log_dir, env=None, cwd=None):
        self.name = name
        self.log_path = os.path.join(log_dir, name + ".log")
        self.log = open(self.log_path, "wb")
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            argv, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, cwd=cwd
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def tail(self, lines=20) -> str:
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""


class Children:
    """Every child started by a run, stopped in reverse order at the end."""

    def __init__(self, log_dir):
        self.log_dir = log_dir
        self.children = []

    def start(self, name, argv, env=None, cwd=None) -> Child:
        child = Child(name, argv, self.log_dir, env=env, cwd=cwd)
        self.children.append(child)
        return child

    def stop(self, child):
        child.stop()
        if child in self.children:
            self.children.remove(child)

    def stop_all(self):
        for child in reversed(self.children):
            child.stop()
        self.children.clear()


def http_get_status(port: int, path: str, timeout=1.0):
    """The status code of one GET, or None when nothing answers (raw socket: no client overhead)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
            head = s.recv(64)
    except OSError:
        return None
    parts = head.split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/"):
        return None
    try:
        return int(parts[1])
    except ValueError:
        return None


def wait_until_answers(port: int, path: str, child: Child = None, timeout=30.0, accept=(200,)) -> float:
    """Polls `path` in a tight loop until it answers with a status in `accept`.

    Returns the seconds since the child was started (or since the call, without a child).
    """
    start = child.started if child else time.monotonic()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = http_get_status(port, path, timeout=0.5)
        if status in accept:
            return time.monotonic() - start
        if child and not child.alive():
            raise RuntimeError(f"{child.name} exited early:\n{child.tail()}")
        time.sleep(0.0005)
    raise RuntimeError(f"nothing answered GET {path} on port {port} within {timeout} s")


def gateway_env(base_url: str, extra=None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOONFLOW_")}
    env["LOONFLOW_BASE_URL"] = base_url
    env.update(extra or {})
    return env


def start_gateway(children: Children, name: str, exe: str, port: int, base_url: str, cwd: str, extra_env=None):
    """Starts the gateway on 127.0.0.1:port against base_url and waits for /healthz."""
    child = children.start(name, [exe, "--port", str(port)], env=gateway_env(base_url, extra_env), cwd=cwd)
    child.startup_seconds = wait_until_answers(port, "/healthz", child)
    return child


# ---------------------------------------------------------------------------------------------
# nginx


def _nginx_common(prefix: str) -> str:
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}worker_processes 1;\ndaemon off;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log warn;\n"
        "events { worker_connections 4096; }\n"
    )


def _nginx_http_common(prefix: str) -> str:
    temps = "".join(
        f"  {kind}_temp_path {prefix}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"  access_log off;\n{temps}  keepalive_requests 10000000;\n  keepalive_timeout 300s;\n"


def static_upstream_conf(prefix: str, port: int, root: str, ticket_id: str) -> str:
    """Loonflow-shaped answers from files: /api/v1.0/tickets (any query) and one ticket's details."""
    return (
        _nginx_common(prefix)
        + "http {\n"
        + _nginx_http_common(prefix)
        + f"  server {{\n    listen 127.0.0.1:{port};\n    root {root};\n    default_type application/json;\n"
        "    location = /api/v1.0/tickets { try_files /tickets.json =404; }\n"
        f"    location ~ ^/api/v1\\.0/tickets/{ticket_id}/"
        "(ticket_detail_form|ticket_detail_actions|ticket_detail_admin_actions)$ { try_files /$1.json =404; }\n"
        "    location / { return 404; }\n  }\n}\n"
    )


def balancer_conf(prefix: str, port: int, backends) -> str:
    """Round-robin over gateway replicas on /mcp, keep-alive to the backends, no buffering."""
    servers = "".join(f"    server 127.0.0.1:{p};\n" for p in backends)
    return (
        _nginx_common(prefix)
        + "http {\n"
        + _nginx_http_common(prefix)
        + f"  upstream gateways {{\n{servers}    keepalive 128;\n  }}\n"
        f"  server {{\n    listen 127.0.0.1:{port};\n"
        "    location /mcp {\n"
        "      proxy_pass http://gateways;\n"
        "      proxy_http_version 1.1;\n"
        '      proxy_set_header Connection "";\n'
        "      proxy_set_header Host 127.0.0.1;\n"
        "      proxy_buffering off;\n"
        "      proxy_request_buffering off;\n"
        "    }\n  }\n}\n"
    )


def nginx_binary() -> str:
    for candidate in ("/usr/sbin/nginx", "/usr/bin/nginx"):
        if os.access(candidate, os.X_OK):
            return candidate
    raise RuntimeError("nginx is not installed (apt-get install nginx)")


def start_nginx(children: Children, name: str, prefix: str, conf: str, port: int, probe="/") -> Child:
    os.makedirs(prefix, exist_ok=True)
    os.chmod(prefix, 0o755)
    path = os.path.join(prefix, "nginx.conf")
    with open(path, "w") as f:
        f.write(conf)
    child = children.start(name, [nginx_binary(), "-p", prefix + "/", "-c", path, "-e", prefix + "/error.log"])
    wait_until_answers(port, probe, child, accept=(200, 404, 405))
    return child


# ---------------------------------------------------------------------------------------------
# Measurements


def run_wrk(url: str, connections: int, duration: float, mode: str, token: str, tool="ticket_list", arguments=None):
    """One wrk run; returns the script's counters plus calls/s and latencies in ms."""
    env = dict(os.environ)
    env.update(
        BENCH_MODE=mode, BENCH_TOOL=tool, BENCH_TOKEN=token, BENCH_ARGS=json.dumps(arguments or {"category": "all"})
    )
    threads = 1 if connections == 1 else 2
    argv = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s", "--timeout", "10s", "--latency",
        "-s", os.path.join(HERE, "mcp_call.lua"), url,
    ]
    output = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=duration + 60)
    line = next((l for l in output.stdout.splitlines() if l.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{output.stdout}\n{output.stderr}")
    data = json.loads(line[len("BENCH_JSON "):])
    seconds = data["duration_us"] / 1e6
    errors = data["non2xx"] + data["rpc_errors"] + data["tool_errors"] + data["socket_errors"] + data["timeouts"]
    return {
        "connections": connections,
        "calls": data["requests"],
        "calls_per_s": round(data["requests"] / seconds, 1) if seconds else 0.0,
        "p50_ms": data["p50_us"] / 1000,
        "p90_ms": data["p90_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "max_ms": data["max_us"] / 1000,
        "errors": errors,
        "error_detail": {k: data[k] for k in ("non2xx", "rpc_errors", "tool_errors", "socket_errors", "timeouts")},
        "sample_error": data["sample_error"] or None,
    }


def process_counters(pid: int):
    """(CPU seconds, voluntary and involuntary context switches summed over its threads)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None
    switches = 0
    for status in glob.glob(f"/proc/{pid}/task/*/status"):
        try:
            with open(status) as f:
                for line in f:
                    if "ctxt_switches:" in line:
                        switches += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return cpu, switches


class Usage:
    """CPU time and context switches a process spends inside a `with` block (threads that
    ended inside the block are not counted for switches)."""

    def __init__(self, pid: int):
        self.pid = pid
        self.cpu_s = None
        self.switches = None

    def __enter__(self):
        self._start = process_counters(self.pid)
        return self

    def __exit__(self, *exc):
        end = process_counters(self.pid)
        if self._start and end:
            self.cpu_s = end[0] - self._start[0]
            self.switches = end[1] - self._start[1]

    def per_call(self, calls: int) -> dict:
        if self.cpu_s is None or not calls:
            return {"cpu_us_per_call": None, "switches_per_call": None}
        return {"cpu_us_per_call": round(self.cpu_s / calls * 1e6), "switches_per_call": round(self.switches / calls, 1)}


class MachineBusy:
    """Share of all CPUs busy (not idle or waiting on I/O) inside a `with` block, from /proc/stat."""

    @staticmethod
    def _read():
        with open("/proc/stat") as f:
            values = [int(v) for v in f.readline().split()[1:]]
        return sum(values), values[3] + values[4]

    def __enter__(self):
        self._start = self._read()
        self.percent = None
        return self

    def __exit__(self, *exc):
        total, idle = self._read()
        spent = total - self._start[0]
        if spent:
            self.percent = round(100 * (spent - (idle - self._start[1])) / spent, 1)


def rss_kib(pid: int):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class RSSSampler:
    """Samples a process's VmRSS every 100 ms on a thread; `peak_kib` is the largest sample."""

    def __init__(self, pid: int, interval=0.1):
        self.pid = pid
        self.interval = interval
        self.samples = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            value = rss_kib(self.pid)
            if value is not None:
                self.samples.append(value)
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    @property
    def peak_kib(self):
        return max(self.samples) if self.samples else None


def machine_description() -> dict:
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory_kib = 0
    try:
        with open("/proc/meminfo") as f:
            memory_kib = int(f.readline().split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "memory_gib": round(memory_kib / 1048576, 1)}


def load_average() -> str:
    """/proc/loadavg's first three fields: other work on the machine skews every figure."""
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unknown"
