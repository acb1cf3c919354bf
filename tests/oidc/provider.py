"""A real OpenID Connect provider for the tests: tests/oidc/provider.mjs (panva's oidc-provider
on node, installed by scripts/bootstrap's ``npm ci``) run as its own process, with one client
for staff and one standing in for ID-porten, each registered for the given base URLs."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import requests

HERE = Path(__file__).resolve().parent
CLIENTS = ("staff", "idporten")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Provider:
    def __init__(self, base_urls: list[str]) -> None:
        node = shutil.which("node")
        if node is None or not (HERE / "node_modules" / "oidc-provider").is_dir():
            raise RuntimeError("node and tests/oidc/node_modules are needed: run scripts/bootstrap")
        self.port = _free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        clients = [
            {
                "client_id": f"samordna-{name}",
                "client_secret": f"secret-of-{name}",
                "redirect_uris": [f"{base}/oidc/{name}/callback/" for base in base_urls],
                "post_logout_redirect_uris": [f"{base}/login/" for base in base_urls],
                "token_endpoint_auth_method": "client_secret_post",
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
            }
            for name in CLIENTS
        ]
        self._output = tempfile.TemporaryFile()  # noqa: SIM115  (closed by stop)
        self.process = subprocess.Popen(
            [node, str(HERE / "provider.mjs")],
            env={**os.environ, "PORT": str(self.port), "CLIENTS": json.dumps(clients)},
            stdout=self._output,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while b"ready" not in self._read():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the test provider did not start: {self._read()!r}")
            time.sleep(0.05)
        self.discovery = requests.get(
            f"{self.issuer}/.well-known/openid-configuration", timeout=10
        ).json()

    def _read(self) -> bytes:
        self._output.seek(0)
        return self._output.read()

    def settings(self) -> dict[str, dict[str, str]]:
        """``SAMORDNA_OIDC`` for both clients, as the environment would give it."""
        d = self.discovery
        return {
            name: {
                "issuer": d["issuer"],
                "client_id": f"samordna-{name}",
                "client_secret": f"secret-of-{name}",
                "authorization_endpoint": d["authorization_endpoint"],
                "token_endpoint": d["token_endpoint"],
                "jwks_uri": d["jwks_uri"],
                "end_session_endpoint": d["end_session_endpoint"],
                "scopes": "openid" if name == "staff" else "openid profile",
            }
            for name in CLIENTS
        }

    def authorize(
        self,
        url: str,
        *,
        sub: str,
        pid: str = "",
        acr: str = "idporten-loa-high",
        amr: str = "",
        token: str = "valid",
    ) -> str:
        """Follow an authorization request through the provider's log-in form, as a browser
        would, and return the URL it sends the browser back to (the client's callback)."""
        session = requests.Session()
        form: dict[str, Any] = {"sub": sub, "pid": pid, "acr": acr, "amr": amr, "token": token}
        for _step in range(10):
            response = session.request(
                "POST" if form and "/interaction/" in url else "GET",
                url,
                data=form if "/interaction/" in url else None,
                allow_redirects=False,
                timeout=10,
            )
            if "/interaction/" in url:
                form = {}
            location = response.headers.get("Location")
            if location is None:
                raise AssertionError(
                    f"the provider answered {response.status_code}: {response.text}"
                )
            url = urljoin(url, location)
            if not url.startswith(self.issuer):
                return url
        raise AssertionError("the provider kept redirecting")

    def rotate_key(self) -> str:
        """Sign with a new key under a new ``kid`` from now on; the JWKS holds only it."""
        return requests.post(f"{self.issuer}/test/rotate-key", timeout=10).text

    def jwks_fetches(self) -> int:
        """How many times the JWKS has been fetched since the provider started."""
        return int(requests.get(f"{self.issuer}/test/jwks-fetches", timeout=10).json()["fetches"])

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._output.close()
