"""A real HTTP server in its own process that answers like LINK Mobility's SMS REST API (the
send endpoint), for the tests: it checks basic auth and the JSON body, records each message it
accepts as one JSON line in a file the test reads, and has an outage switch.

    python -m tests.sms_gateway PORT RECORD_FILE USER PASSWORD

- ``POST /sms/send``: 401 without the right credentials; 400 for a body without the fields the
  API requires or with a destination that is not ``+47`` and eight digits (a bad number);
  503 while the file ``RECORD_FILE.outage`` exists; else 202 with ``{"messageId", "resultCode":
  1005, "description": "Queued"}``.
- ``DELAY`` seconds (environment, default 0) before answering, so a kill can land mid-call.

``SmsGatewayServer`` starts and stops it as a child process (stopping it refuses connections).
"""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REQUIRED = ("source", "destination", "userData", "platformId", "platformPartnerId")
NUMBER = re.compile(r"^\+47\d{8}$")


def _handler(record: Path, user: str, password: str, delay: float) -> type:
    expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if delay:
                time.sleep(delay)
            if self.path.rstrip("/") != "/sms/send":
                self._answer(404, {"description": "Not found"})
                return
            if record.with_suffix(".outage").exists():
                self._answer(503, {"description": "Service unavailable"})
                return
            if self.headers.get("Authorization") != expected:
                self._answer(401, {"description": "Unauthorized"})
                return
            try:
                body = json.loads(raw)
            except ValueError:
                self._answer(400, {"description": "Not JSON"})
                return
            missing = [f for f in REQUIRED if not body.get(f)]
            if missing or not NUMBER.match(str(body.get("destination"))):
                # As gateways do, the refusal names the number it refused.
                destination = body.get("destination")
                description = f"Invalid destination {destination}"
                self._answer(400, {"resultCode": 1102, "description": description})
                return
            message_id = str(uuid.uuid4())
            with lock, record.open("a", encoding="utf-8") as out:
                out.write(json.dumps({**body, "messageId": message_id}) + "\n")
            self._answer(
                202, {"messageId": message_id, "resultCode": 1005, "description": "Queued"}
            )

    return Handler


def main() -> None:
    port, record, user, password = sys.argv[1:5]
    delay = float(os.environ.get("DELAY", "0"))
    server = ThreadingHTTPServer(
        ("127.0.0.1", int(port)), _handler(Path(record), user, password, delay)
    )
    server.serve_forever()


class SmsGatewayServer:
    """The server as a child process on a loopback port; ``received()`` reads what it took."""

    def __init__(
        self, port: int, record: Path, user: str = "samordna", password: str = "hemmelig"
    ) -> None:
        self.port, self.record, self.user, self.password = port, record, user, password
        self.url = f"http://127.0.0.1:{port}/sms/send"
        self.delay = 0.0
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        root = Path(__file__).resolve().parents[1]
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.sms_gateway",
                str(self.port),
                str(self.record),
                self.user,
                self.password,
            ],
            cwd=root,
            env={**os.environ, "DELAY": str(self.delay)},
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise AssertionError("the SMS gateway did not start")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None

    def outage(self, on: bool) -> None:
        """While on, the gateway answers 503 to every message."""
        switch = self.record.with_suffix(".outage")
        if on:
            switch.touch()
        else:
            switch.unlink(missing_ok=True)

    def received(self) -> list[dict[str, Any]]:
        if not self.record.exists():
            return []
        return [json.loads(line) for line in self.record.read_text().splitlines() if line]


if __name__ == "__main__":
    main()
