"""The benchmark runner in its quick form, so the harness never rots."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from bench import generate, growth, load, run, sweep, worker
from cases.models import Youth

pytestmark = [
    # Committed rows: the worker and gunicorn are other processes.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.slow
def test_quick_run_measures_every_scenario_against_its_floor(settings: Any, tmp_path: Path) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    counts = generate.generate(1200, progress=False, jobs=2)  # two processes, as by default
    assert counts["cases.Youth"] == 1200
    assert Youth.objects.values("national_id_index").distinct().count() == 1200
    results = run.run(requests=3, warmup=1, out=tmp_path)
    swept = sweep.run(100, tmp_path)
    assert (swept.reminders, swept.per_second > 0, swept.deadline_rows > 0) == (100, True, True)
    assert 0 < swept.digests <= 100
    sent = worker.run(100, timeout=180)
    assert sent.reminders == 100 and 0 < sent.digests <= 100
    assert 0 < sent.peak_pss_mb <= sent.peak_rss_mb
    loaded = load.run(run.busiest_advisor().user, run.CASELOAD_URL, seconds=3)
    assert loaded.requests > 0 and loaded.errors == 0 and loaded.p95_ms > 0
    # Growth against an earlier run (here: the same run with every time halved).
    earlier = {
        "machine": {"youths": 100},
        "results": [{**asdict(r), "p95_ms": r.p95_ms / 2} for r in results],
        "sweep": {**asdict(swept), "seconds": swept.seconds / 2},
    }
    grown = run.growth(results, asdict(swept), earlier)
    assert grown["baseline_youths"] == 100
    assert {name: row["ratio"] for name, row in grown["scenarios"].items()} == {
        "caseload": 2.0,
        "timeline": 2.0,
        "referral-inbox": 2.0,
        "compliance-report": 2.0,
        "reminder-sweep": 2.0,
    }
    run.write(
        results,
        {
            "sweep": asdict(swept),
            "worker": asdict(sent),
            "throughput": asdict(loaded),
            "growth": grown,
        },
        tmp_path,
    )
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
    assert saved["machine"]["youths"] == 1201  # and the timeline youth made for the run
    assert "| caseload |" in (tmp_path / "results.md").read_text()
    assert "reminder sweep" in (tmp_path / "results.md").read_text()
    assert "| growth: 1201 vs 100 youths |" in (tmp_path / "results.md").read_text()
    for name in ("caseload", "timeline", "sweep"):
        assert "actual time=" in (tmp_path / f"explain-{name}.txt").read_text()
    # A growth run may leave the worker and gunicorn out (--skip).
    run.write(results, {"sweep": asdict(swept), "growth": grown}, tmp_path / "growth")
    written = (tmp_path / "growth" / "results.md").read_text()
    assert "reminder sweep" in written and "worker memory" not in written
    # Growth in alternating rounds (bench.growth): two runs of the reads, in their own
    # processes, here on the same database.
    url = worker._database_url()
    rounds = growth.run(smaller=url, bigger=url, rounds=1, requests=3, out=tmp_path / "rounds")
    assert (rounds["smaller_youths"], rounds["bigger_youths"]) == (1201, 1201)
    assert set(rounds["scenarios"]) == {r.scenario for r in results}
    for row in rounds["scenarios"].values():
        (only,) = row["rounds"]
        assert only["smaller_p95_ms"] > 0 and only["bigger_p95_ms"] > 0
        assert row["ratio"] == only["ratio"] > 0
    assert "| caseload |" in (tmp_path / "rounds" / "growth.md").read_text()
    assert "reminder sweep" not in (tmp_path / "rounds" / "1-smaller" / "results.md").read_text()


def test_growth_is_the_median_of_the_rounds_ratios() -> None:
    def results(**p95: float) -> dict[str, Any]:
        return {"results": [{"scenario": name, "p95_ms": ms} for name, ms in p95.items()]}

    rounds = [
        {"smaller": results(caseload=10.0), "bigger": results(caseload=11.0)},
        {"smaller": results(caseload=14.0), "bigger": results(caseload=14.0)},  # drift: both
        {"smaller": results(caseload=10.0), "bigger": results(caseload=20.0)},
    ]
    grown = growth.ratios(rounds)
    assert [r["ratio"] for r in grown["caseload"]["rounds"]] == [1.1, 1.0, 2.0]
    assert grown["caseload"]["ratio"] == 1.1
