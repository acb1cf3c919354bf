"""Throughput of the caseload under gunicorn: wrk, 32 connections on loopback.

Starts gunicorn as ``docker-compose.yml`` does (``coordination.wsgi``, 3 sync workers, DEBUG
off, no access log to the terminal) against the benchmark database, logs the advisor in (a
real session row, so every request goes through session and user look-ups as a browser's
would), and runs wrk with 2 threads and 32 connections for the given seconds after a short
warm-up. A Lua hook prints p50/p95/p99 and the error counts as JSON; non-2xx answers count as
errors.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.worker import ROOT, _database_url, _free_port

WRK_SCRIPT = Path(__file__).with_name("wrk_report.lua")
CONNECTIONS = 32
WORKERS = 3


@dataclass
class LoadResult:
    url: str
    seconds: int
    connections: int
    workers: int
    requests: int
    requests_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int


def _session_cookie(user: Any) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _wait_up(url: str, cookie: str, timeout: float = 60) -> None:
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 (loopback)
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not answer {url} in {timeout:.0f} s") from None
        time.sleep(0.5)


def _wrk(url: str, cookie: str, seconds: int) -> dict[str, Any]:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is missing: scripts/system-deps installs it (apt-get install wrk).")
    output = subprocess.run(
        [
            wrk,
            "-t",
            "2",
            "-c",
            str(CONNECTIONS),
            "-d",
            f"{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(WRK_SCRIPT),
            "-H",
            f"Cookie: {cookie}",
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(output[output.index("{") :]))


def run(user: Any, path: str, *, seconds: int) -> LoadResult:
    cookie = _session_cookie(user)
    port = _free_port()
    url = f"http://127.0.0.1:{port}{path}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "coordination.wsgi",
            f"--bind=127.0.0.1:{port}",
            f"--workers={WORKERS}",
            "--log-level=warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        _wait_up(url, cookie)
        # Warm-up: every worker's imports, connection and caches (a worker boots on its own
        # after the first answers; on a busy machine that takes seconds).
        _wrk(url, cookie, max(3, seconds // 5))
        figures = _wrk(url, cookie, seconds)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    return LoadResult(
        url=path,
        seconds=seconds,
        connections=CONNECTIONS,
        workers=WORKERS,
        requests=figures["requests"],
        requests_per_second=round(figures["requests"] / figures["seconds"], 1),
        p50_ms=round(figures["p50_us"] / 1000, 1),
        p95_ms=round(figures["p95_us"] / 1000, 1),
        p99_ms=round(figures["p99_us"] / 1000, 1),
        errors=figures["errors"],
    )
