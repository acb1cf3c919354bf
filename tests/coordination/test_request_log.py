"""Request log lines (runserver's and gunicorn's) carry no identity number: a query string may."""

from __future__ import annotations

import io
import logging
import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import yaml
from django.core.servers.basehttp import WSGIRequestHandler

from cases.logfilters import REPLACEMENT, RedactIdentityNumbers

ROOT = Path(__file__).resolve().parents[2]
NUMBER = "15050550025"
REQUEST_LINE = f"GET /api/v1/youths/?q={NUMBER} HTTP/1.1"


def _pytests(handler: logging.Handler) -> bool:
    return type(handler).__module__.startswith("_pytest")  # pytest's capture, not ours


def _redacts(logger: logging.Logger, handler: logging.Handler) -> bool:
    return any(isinstance(f, RedactIdentityNumbers) for f in [*logger.filters, *handler.filters])


def test_every_handler_a_django_record_reaches_redacts() -> None:
    """Walks each django.* logger's handlers up the propagation chain, as logging does."""
    names = ["django", "django.server", "django.request", "django.security.csrf"]
    names += [n for n in logging.root.manager.loggerDict if n.startswith("django")]
    for name in names:
        logger: logging.Logger | None = logging.getLogger(name)
        while logger is not None:
            for handler in logger.handlers:
                if not _pytests(handler):
                    assert _redacts(logger, handler), (name, logger.name, handler)
            logger = logger.parent if logger.propagate else None


def test_runserver_request_lines_are_redacted() -> None:
    """runserver writes each request through WSGIRequestHandler.log_message to django.server."""
    [handler] = [h for h in logging.getLogger("django.server").handlers if not _pytests(h)]
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        fake_server = SimpleNamespace(
            request=None, log_date_time_string=lambda: "01/Jan/2026 10:00:00"
        )
        WSGIRequestHandler.log_message(fake_server, '"%s" %s %s', REQUEST_LINE, "200", "512")  # type: ignore[arg-type]
        WSGIRequestHandler.log_message(fake_server, '"%s" %s %s', REQUEST_LINE, "404", "10")  # type: ignore[arg-type]
    finally:
        handler.setStream(previous)
    written = stream.getvalue()
    assert NUMBER not in written
    assert written.count(f"/api/v1/youths/?q={REPLACEMENT} HTTP/1.1") == 2
    assert "[01/Jan/2026 10:00:00]" in written  # runserver's own format is kept


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, **headers: str) -> int:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_gunicorns_access_log_is_redacted(tmp_path: Path) -> None:
    """gunicorn for real, started as the Dockerfile starts it, on a free loopback port. An
    anonymous request answers 401 before any database work, so no database is needed."""
    access_log = tmp_path / "access.log"
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "coordination.wsgi",
            "--config=gunicorn.conf.py",
            f"--bind=127.0.0.1:{port}",
            "--workers=1",
            f"--access-logfile={access_log}",
            f"--error-logfile={tmp_path / 'error.log'}",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "coordination.settings"},
    )
    try:
        url = f"http://127.0.0.1:{port}/api/v1/youths/?q={NUMBER}"
        deadline = time.monotonic() + 30
        status = None
        while status is None:
            try:
                status = _get(url, Referer=f"http://localhost/youths/?q={NUMBER}")
            except OSError:
                assert server.poll() is None, "gunicorn exited"
                assert time.monotonic() < deadline, "gunicorn did not answer"
                time.sleep(0.2)
        assert status == 401
        while '" 401 ' not in (access_log.read_text() if access_log.exists() else ""):
            assert time.monotonic() < deadline, "no access log line"
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=30)
    written = access_log.read_text()
    assert NUMBER not in written
    assert f'"GET /api/v1/youths/?q={REPLACEMENT} HTTP/1.1" 401' in written
    assert f"/youths/?q={REPLACEMENT}" in written.split('" 401')[1]  # the Referer


def test_the_server_image_and_compose_start_gunicorn_with_the_config() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    [cmd] = [line for line in dockerfile.splitlines() if line.startswith("CMD ")]
    assert '"gunicorn", "coordination.wsgi", "--config=gunicorn.conf.py"' in cmd
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert "--config=gunicorn.conf.py" in compose["services"]["web"]["command"]


def test_gunicorns_logger_redacts_its_error_log_too(tmp_path: Path) -> None:
    """An error line names the request's URI ("Error handling request /path?query")."""
    from gunicorn.config import Config

    config = Config()
    config.set("logger_class", runpy.run_path(str(ROOT / "gunicorn.conf.py"))["logger_class"])
    config.set("errorlog", str(tmp_path / "error.log"))
    loggers = [logging.getLogger("gunicorn.error"), logging.getLogger("gunicorn.access")]
    before = [(list(lg.handlers), list(lg.filters), lg.propagate) for lg in loggers]
    try:
        log = config.logger_class(config)
        log.error("Error handling request %s", f"/api/v1/youths/?q={NUMBER}")
        for handler in log.error_log.handlers:
            handler.flush()
    finally:
        for lg, (handlers, filters, propagate) in zip(loggers, before, strict=True):
            for handler in lg.handlers:
                if handler not in handlers:
                    handler.close()
            lg.handlers, lg.filters, lg.propagate = handlers, filters, propagate
    written = (tmp_path / "error.log").read_text()
    assert NUMBER not in written and REPLACEMENT in written
