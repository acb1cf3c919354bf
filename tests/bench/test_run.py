"""The benchmark runner in its quick form, so the harness never rots (issue 7)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from bench import generate, run

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]


def test_quick_run_measures_every_scenario_against_its_floor(settings: Any, tmp_path: Path) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    generate.generate(400, progress=False)
    results = run.run(requests=3, warmup=1, out=tmp_path)
    assert [r.scenario for r in results] == [
        "caseload",
        "timeline",
        "referral-inbox",
        "compliance-report",
    ]
    for result in results:
        assert 0 < result.p50_ms <= result.p95_ms <= result.p99_ms
        assert result.queries > 0 and result.floor_p95_ms > 0 and result.ratio_p95 > 0
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved["machine"]["youths"] == 401  # and the timeline youth made for the run
    assert "| caseload |" in (tmp_path / "results.md").read_text()
    for name in ("caseload", "timeline"):
        assert "actual time=" in (tmp_path / f"explain-{name}.txt").read_text()
