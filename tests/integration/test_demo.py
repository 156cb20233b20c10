"""``starwatch demo --json``: the README's first command, in a clean working directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from email import policy
from email.parser import BytesParser
from pathlib import Path


def run_demo(cwd: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STARWATCH_")}
    result = subprocess.run([sys.executable, "-m", "starwatch.cli", "demo", "--json"], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_demo_collects_indexes_scores_compares_and_alerts(tmp_path):
    summary = run_demo(tmp_path)
    assert summary["reviews_collected"] == summary["reviews_indexed"] > 0
    assert summary["reviews_scored"] == summary["reviews_indexed"]
    assert summary["entities"] == 3
    assert summary["alerts_fired"] >= 1
    assert summary["reviews_dropped"] == {"rating_above_best": 1}
    email = Path(summary["emails"][0])
    assert email.is_file() and email.suffix == ".eml" and email.is_relative_to(tmp_path)
    message = BytesParser(policy=policy.default).parse(email.open("rb"))
    assert "Café Lumière" in message["Subject"]
    assert {m["entity_id"] for m in summary["comparison"]["members"]} == {
        "cafe-lumiere", "petit-torrefacteur", "bean-there"}
    assert summary["search_total"] > 0
    grades = {card["entity_id"]: card for card in summary["authenticity"]}
    assert set(grades) == {"cafe-lumiere", "petit-torrefacteur", "bean-there"}
    assert all(card["grade"] and card["adjusted"] is not None for card in grades.values())
    # the planted burst of near-identical 5★ reviews: caught, and the competitor's rating adjusted down
    assert grades["bean-there"]["grade"] == "fail" and grades["bean-there"]["campaigns"] >= 1
    assert grades["bean-there"]["adjusted"] < grades["bean-there"]["average"]
    assert grades["cafe-lumiere"]["grade"] == "pass"
    adjusted = {m["entity_id"]: m for m in summary["comparison"]["members"]}
    assert all(member.get("adjusted_average") is not None or member.get("window_adjusted") is not None
               for member in adjusted.values()), summary["comparison"]["members"]


def test_demo_runs_again_from_scratch(tmp_path):
    first, second = run_demo(tmp_path), run_demo(tmp_path)
    assert second["reviews_indexed"] == first["reviews_indexed"]
    assert second["alerts_fired"] == first["alerts_fired"]  # a fresh store: the dip fires again
    assert len(list((tmp_path / "starwatch-demo" / "outbox").glob("*.eml"))) == len(second["emails"])


def test_demo_config_lets_a_user_explore_afterwards(tmp_path):
    summary = run_demo(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("STARWATCH_")}
    result = subprocess.run([sys.executable, "-m", "starwatch.cli", "--config", summary["config_file"],
                             "search", "café", "--json"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["total"] > 0
