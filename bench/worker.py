"""Worker memory while sending N reminders, with the real parts.

Starts Redis (Debian's redis-server) and an SMTP sink (aiosmtpd, counts and drops the mail),
makes N reminders due (``bench.sweep.prepare``), then runs a Celery worker as production does
(the settings' pool: four threads in one process) and beat dispatching every second, until all
N are sent. The RSS of the worker's processes (one, or a prefork pool's too when
``CELERY_WORKER_POOL=prefork``) is sampled every 0.1 s from /proc; the result is the peak of
their sum (RSS, and PSS which counts pages shared after a fork once), the peak of the largest
one, and how long the sending took.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class WorkerResult:
    reminders: int
    digests: int
    seconds: float
    peak_rss_mb: float  # the worker's processes together, shared pages counted in each
    peak_pss_mb: float  # the same, shared pages divided among the processes that share them
    peak_process_rss_mb: float  # the largest single process


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _memory_kb(pid: int) -> tuple[int, int]:
    """RSS and PSS of a process in kB. PSS shares each copy-on-write page among the processes
    that map it, so the pool's PSS adds up to what the worker really takes; RSS counts a page
    the parent shares with its two children three times."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return rss, pss


def _tree(pid: int) -> list[int]:
    """The process and its descendants (a prefork pool's children, if one is configured)."""
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                todo += [int(c) for c in (task / "children").read_text().split()]
            except FileNotFoundError:
                continue
    return pids


class SmtpSink:
    """An SMTP server on loopback that accepts every message and keeps only the count."""

    def __init__(self) -> None:
        import logging

        from aiosmtpd.controller import Controller

        logging.getLogger("mail.log").setLevel(logging.WARNING)  # a line per SMTP command

        self.messages = 0
        self.port = _free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages += 1
        return "250 OK"

    def __enter__(self) -> SmtpSink:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


def _database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{user}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def run(due: int, *, timeout: float = 900) -> WorkerResult:
    from django.utils import timezone

    from bench.sweep import prepare
    from coordination.models import Reminder

    redis_binary = shutil.which("redis-server")
    if redis_binary is None:
        raise SystemExit("redis-server is missing: scripts/system-deps installs it.")
    prepare(due)
    chosen = list(  # what prepare made due (the rest it moved a month ahead)
        Reminder.objects.filter(status="PENDING", claim_token=None, send_after__lte=timezone.now())
        .order_by("id")
        .values_list("id", flat=True)
    )
    if len(chosen) != due:
        raise SystemExit(f"worker: {len(chosen)} reminders due, expected {due}")
    workdir = Path(tempfile.mkdtemp(prefix="samordna-bench-"))
    redis_port = _free_port()
    processes: list[subprocess.Popen[bytes]] = []
    stack = contextlib.ExitStack()
    try:
        processes.append(
            subprocess.Popen(
                [
                    redis_binary,
                    "--port",
                    str(redis_port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(workdir),
                ],
                stdout=subprocess.DEVNULL,
            )
        )
        with SmtpSink() as sink:
            env = {
                **os.environ,
                "DATABASE_URL": _database_url(),
                "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(sink.port),
                "REMINDER_DISPATCH_SECONDS": "1",
                "DEBUG": "false",
            }
            celery = [sys.executable, "-m", "celery", "-A", "coordination"]
            log = stack.enter_context((workdir / "worker.log").open("wb"))
            worker = subprocess.Popen(
                [
                    *celery,
                    "worker",
                    "-l",
                    "warning",
                    "--without-gossip",
                    "--without-mingle",
                ],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            processes.append(worker)
            processes.append(
                subprocess.Popen(
                    [*celery, "beat", "-l", "warning", "-s", str(workdir / "beat-schedule")],
                    env=env,
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            started = time.monotonic()
            peak_rss = peak_pss = peak_one = 0
            sent = 0
            while sent < due:
                if time.monotonic() - started > timeout:
                    raise SystemExit(f"worker: {sent} of {due} sent in {timeout:.0f} s")
                if worker.poll() is not None:
                    raise SystemExit(f"worker stopped: {(workdir / 'worker.log').read_text()}")
                for _ in range(10):
                    sizes = [_memory_kb(pid) for pid in _tree(worker.pid)]
                    peak_rss = max(peak_rss, sum(rss for rss, _pss in sizes))
                    peak_pss = max(peak_pss, sum(pss for _rss, pss in sizes))
                    peak_one = max(peak_one, *(rss for rss, _pss in sizes), 0)
                    time.sleep(0.1)
                sent = Reminder.objects.filter(pk__in=chosen, status="SENT").count()
            seconds = time.monotonic() - started
            digests = sink.messages
    finally:
        for process in reversed(processes):
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        stack.close()
        shutil.rmtree(workdir, ignore_errors=True)
    return WorkerResult(
        reminders=sent,
        digests=digests,
        seconds=round(seconds, 1),
        peak_rss_mb=round(peak_rss / 1024, 1),
        peak_pss_mb=round(peak_pss / 1024, 1),
        peak_process_rss_mb=round(peak_one / 1024, 1),
    )
