"""Growth: the reads' p95 on a bigger database against a smaller one, in rounds that
alternate between the two.

On a shared machine two full runs minutes apart can measure the same code's p95 far apart, so
a ratio of two separate runs (``bench.run --baseline``) measures the machine's drift as much as
the database's growth. Here each round runs the reads once on each database,
the order turned every round, so the drift falls on both alike; a scenario's ratio is the
median over rounds of (bigger p95 / smaller p95). Each run is ``bench.run`` (sweep, worker and
throughput left out) in its own process with that database's DATABASE_URL.

    python -m bench.growth --smaller postgres://…/d100k --bigger postgres://…/d1m --rounds 4

Writes ``growth.json`` and ``growth.md`` under ``--out`` (default ``var/bench/growth``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.worker import ROOT

TARGET = 1.3


def _reads(database_url: str, requests: int, out: Path) -> dict[str, Any]:
    """One ``bench.run`` of the reads on ``database_url``: its results.json."""
    subprocess.run(
        [
            *(sys.executable, "-m", "bench.run"),
            *("--requests", str(requests), "--warmup", str(max(1, requests // 10))),
            *("--skip", "sweep", "--skip", "worker", "--skip", "throughput"),
            *("--out", str(out)),
        ],
        env={**os.environ, "DATABASE_URL": database_url},
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return dict(json.loads((out / "results.json").read_text()))


def ratios(rounds: list[dict[str, dict[str, Any]]]) -> dict[str, Any]:
    """Per scenario: each round's p95 on both databases, its ratio, and the median ratio.

    ``rounds`` holds per round the two runs' results.json, under "smaller" and "bigger"."""
    scenarios: dict[str, Any] = {}
    for number, runs in enumerate(rounds, start=1):
        smaller = {r["scenario"]: r["p95_ms"] for r in runs["smaller"]["results"]}
        for result in runs["bigger"]["results"]:
            name, bigger_p95 = result["scenario"], result["p95_ms"]
            row = scenarios.setdefault(name, {"rounds": []})
            row["rounds"].append(
                {
                    "round": number,
                    "smaller_p95_ms": smaller[name],
                    "bigger_p95_ms": bigger_p95,
                    "ratio": round(bigger_p95 / smaller[name], 2),
                }
            )
    for row in scenarios.values():
        row["ratio"] = round(statistics.median(r["ratio"] for r in row["rounds"]), 2)
    return scenarios


def run(*, smaller: str, bigger: str, rounds: int, requests: int, out: Path) -> dict[str, Any]:
    """Alternating rounds of the reads on the two databases; writes growth.json and growth.md."""
    measured: list[dict[str, dict[str, Any]]] = []
    for number in range(1, rounds + 1):
        order = ("smaller", "bigger") if number % 2 else ("bigger", "smaller")
        urls = {"smaller": smaller, "bigger": bigger}
        measured.append(
            {which: _reads(urls[which], requests, out / f"{number}-{which}") for which in order}
        )
    first = measured[0]
    grown = {
        "smaller_youths": first["smaller"]["machine"]["youths"],
        "bigger_youths": first["bigger"]["machine"]["youths"],
        "rounds": rounds,
        "requests": requests,
        "target": TARGET,
        "scenarios": ratios(measured),
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "growth.json").write_text(json.dumps(grown, indent=2))
    (out / "growth.md").write_text("\n".join(_lines(grown)) + "\n")
    return grown


def _lines(grown: dict[str, Any]) -> list[str]:
    lines = [
        f"Growth: {grown['bigger_youths']} vs {grown['smaller_youths']} youths, "
        f"{grown['rounds']} alternating rounds of {grown['requests']} requests per scenario",
        "",
        "| scenario | p95 per round, smaller → bigger (ms) | ratio per round | median ratio "
        "| target |",
        "|---|---|---|---|---|",
    ]
    for name, row in grown["scenarios"].items():
        per_round = ", ".join(
            f"{r['smaller_p95_ms']} → {r['bigger_p95_ms']}" for r in row["rounds"]
        )
        each = ", ".join(str(r["ratio"]) for r in row["rounds"])
        lines.append(f"| {name} | {per_round} | {each} | **{row['ratio']}** | ≤ {TARGET} |")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smaller", required=True, help="DATABASE_URL of the smaller database")
    parser.add_argument("--bigger", required=True, help="DATABASE_URL of the bigger database")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--requests", type=int, default=200, help="per scenario and run")
    parser.add_argument("--out", default=str(ROOT / "var" / "bench" / "growth"))
    args = parser.parse_args(argv)
    grown = run(
        smaller=args.smaller,
        bigger=args.bigger,
        rounds=args.rounds,
        requests=args.requests,
        out=Path(args.out),
    )
    print("\n".join(_lines(grown)))


if __name__ == "__main__":
    main()
