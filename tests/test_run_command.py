"""The README's run command on the embedded defaults, as a newcomer runs it.

``./scripts/run`` on a fresh var dir (SQLite, the filesystem broker, file e-mail): it migrates,
seeds the demo on today's date and starts web, worker and beat. The test waits for the log-in
page, logs in as a demo user through the API and through the page, and stops the whole process
group. This is the check of the embedded default; the rest of the suite runs on PostgreSQL.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from cases.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 300  # bootstrap, migrate and the 300-youth demo on a busy two-core machine

pytestmark = [pytest.mark.run_command, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Running:
    def __init__(
        self,
        base: str,
        log: Path,
        process: subprocess.Popen[bytes],
        checkout: set[Path],
        env: dict[str, str],
    ) -> None:
        self.base, self.log, self.process = base, log, process
        self.checkout_before = checkout
        self.env = env

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, path: str) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                pytest.fail(f"./scripts/run stopped with {code}:\n{self.output()}")
            try:
                with urllib.request.urlopen(self.base + path, timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(1)
        pytest.fail(f"{path} did not answer within {START_SECONDS} s:\n{self.output()}")


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Running]:
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "CELERY_", "EMAIL_", "DJANGO_", "PYTEST"))
    }
    env.update({"SAMORDNA_VAR_DIR": str(tmp_path / "var"), "PORT": str(port)})
    log = tmp_path / "run.log"
    checkout_before = set(ROOT.iterdir())
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["./scripts/run"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        yield Running(f"http://127.0.0.1:{port}", log, process, checkout_before, env)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_the_run_command_serves_the_demo_and_logs_in(running: Running, tmp_path: Path) -> None:
    running.wait_for("/login/")
    output = running.output()
    assert "ingrid.nav" in output, output  # the demo log-ins are printed

    # Through the API: a token for a demo advisor, then her caseload.
    request = urllib.request.Request(
        running.base + "/api/v1/auth/token/",
        data=json.dumps({"username": "ingrid.nav", "password": DEMO_PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        token = json.load(response)["token"]
    request = urllib.request.Request(
        running.base + "/api/v1/youths/", headers={"Authorization": f"Token {token}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        caseload = json.load(response)
    assert caseload["count"] > 0
    # On the embedded database too, the list wrote one access-log row per youth it showed.
    with sqlite3.connect(tmp_path / "var" / "samordna.sqlite3") as db:
        logged = db.execute(
            "SELECT subject_id, granted, categories FROM consent_accesslogentry"
            " JOIN auth_user ON auth_user.id = actor_id"
            " WHERE purpose = 'caseload' AND username = 'ingrid.nav'"
        ).fetchall()
    shown = sorted(uuid.UUID(youth["id"]).hex for youth in caseload["results"])
    assert sorted(subject for subject, _, _ in logged) == shown
    assert {(granted, json.loads(categories)[0]) for _, granted, categories in logged} == {
        (1, "GENERAL")
    }
    # The access log's chain seals and verifies on the embedded database: the margin cut to a
    # second, and that second waited out, so the rows just written are sealed too (a row is
    # sealed once it is older than the margin; the command may start within the second).
    time.sleep(1.5)
    verified = subprocess.run(
        ["uv", "run", "--frozen", "python", "manage.py", "verify_access_log"],
        cwd=ROOT,
        env={**running.env, "ACCESS_LOG_SEAL_MARGIN_SECONDS": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    checked = re.search(r"Checked (\d+) links", verified.stdout)
    assert checked and int(checked.group(1)) >= len(logged), verified.stdout

    # Through the page: the log-in form with its CSRF token, then the advisor's day.
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with browser.open(running.base + "/login/", timeout=30) as response:
        form = response.read().decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert match, form
    fields = {
        "csrfmiddlewaretoken": match.group(1),
        "username": "ingrid.nav",
        "password": DEMO_PASSWORD,
    }
    login = urllib.request.Request(
        running.base + "/login/",
        data=urllib.parse.urlencode(fields).encode(),
        headers={"Referer": running.base + "/login/"},
    )
    with browser.open(login, timeout=30) as response:
        page = response.read().decode()
        landed = response.geturl()
    assert "/login/" not in landed, page
    assert "Ingrid" in page

    # Everything it wrote is under its var dir (the database, the broker's folders, mail).
    assert set(ROOT.iterdir()) - running.checkout_before == set()
    assert (tmp_path / "var" / "samordna.sqlite3").exists()
    assert (tmp_path / "var" / "celery" / "control").is_dir()
