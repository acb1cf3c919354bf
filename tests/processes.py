"""Python run in a fresh interpreter, for what only a new process shows (what start-up loads)."""

from __future__ import annotations

import os
import subprocess
import sys


def printed_by(code: str) -> list[str]:
    """The words ``code`` prints, run by a fresh interpreter with the project's settings."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "coordination.settings"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.split()
