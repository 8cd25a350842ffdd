"""Helpers shared by the Python scripts of scripts/ (live suites, recorders, benchmarks).

Import it with:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))  # from scripts/
    import lmgscripts
(from scripts/bench/ the folder is "../lib").
"""
import importlib.machinery
import importlib.util
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import time
import urllib.request
import uuid

# The repository's root.
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    """A loopback port the OS just handed out, released for a child that must be told its port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fake_pat():
    """A well-formed Loonflow personal access token that no Loonflow knows."""
    return "lfpat.%s.%s" % (uuid.uuid4(), secrets.token_urlsafe(48)[:64])


def load_script(name):
    """One of scripts/ (their names have dashes and no .py) as a module."""
    loader = importlib.machinery.SourceFileLoader(name.replace("-", "_"), os.path.join(ROOT, "scripts", name))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def environment_without_loonflow(**extra):
    """The environment without any LOONFLOW_* variable (so a developer's settings do not leak
    into a child gateway), plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOONFLOW_")}
    env.update(extra)
    return env


class GatewayChild:
    """A gateway child process logging JSON to `log_path`; `url` is the MCP endpoint from its
    `listening` line, read once it appears."""

    def __init__(self, argv, log_path, env, cwd=ROOT):
        self.log_path = log_path
        self.log = open(log_path, "w+")
        self.process = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=cwd)
        self.url = self._wait_for_url()
        self.next_id = 0

    def _wait_for_url(self):
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("gateway exited: " + open(self.log_path).read())
            match = re.search(r'"url":\s*"(http://[^"]+/mcp)"', open(self.log_path).read())
            if match:
                return match.group(1)
            time.sleep(0.1)
        raise SystemExit("gateway did not report its URL: " + open(self.log_path).read())

    def rpc(self, method, params, token, timeout=60):
        """One JSON-RPC request over Streamable HTTP (2025-06-18, JSON answers)."""
        self.next_id += 1
        body = {"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params}
        request = urllib.request.Request(
            self.url, data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json", "Accept": "application/json",
                     "MCP-Protocol-Version": "2025-06-18", "Authorization": "Bearer " + token})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)
