"""The youth's copy's timing harness in its quick form, so it never rots."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import copy

pytestmark = pytest.mark.django_db


def test_quick_run_times_the_read_the_json_and_the_pdf(tmp_path: Path) -> None:
    timing = copy.run(copy.QUICK, rounds=1, out=tmp_path)

    assert timing.sections["entries"] == copy.QUICK.entries
    assert timing.sections["access_log"] > 0 and timing.sections["plan_goals"] == copy.QUICK.goals
    assert timing.queries == 39 - 1  # no disclosures, so no query for their items
    assert timing.pdf_pages >= 1 and timing.read_ms > 0 and timing.pdf_ms > 0
    assert (tmp_path / "copy.json").exists()
