"""``starwatch authenticity ENTITY [--json]`` as a user runs it, on a real SQLite store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta

from search.backends.sqlite import SQLiteReviewStore
from tests.workers.authenticity_support import START, burst, ordinary_stream

CONFIG = """
entities:
  - id: cafe
    name: Café du Port
    group: port
  - id: bar
    name: Bar de la Marine
    group: port
groups:
  - {id: port, name: Le port}
"""


def starwatch(tmp_path, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("STARWATCH_")}
    env["STARWATCH_PRIVACY__SALT_FILE"] = str(tmp_path / "salt")
    return subprocess.run([sys.executable, "-m", "starwatch.cli", "--config", str(tmp_path / "c.yaml"),
                           "--sqlite-path", str(tmp_path / "s.sqlite"), *args],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=180)


def prepare(tmp_path):
    (tmp_path / "c.yaml").write_text(CONFIG, encoding="utf-8")
    store = SQLiteReviewStore(tmp_path / "s.sqlite")
    store.upsert_reviews(ordinary_stream("cafe", 40) + burst("cafe", 8, START + timedelta(days=120)))
    store.close()


def test_report_card_as_json_then_as_text_from_the_stored_assessment(tmp_path):
    prepare(tmp_path)
    result = starwatch(tmp_path, "authenticity", "cafe", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["card"]["grade"] in ("warn", "fail") and report["name"] == "Café du Port"
    assert {t["name"] for t in report["card"]["tests"]} >= {"Rating Trend", "Phrase Repetition", "Deleted Reviews"}
    assert len(report["campaigns"]) == 1 and report["campaigns"][0]["size"] == 8
    assert report["most_suspect"][0]["weight"] == 0.0 and report["most_suspect"][0]["reasons"]
    text = starwatch(tmp_path, "authenticity", "cafe", "--cached")
    assert text.returncode == 0, text.stderr
    assert "Overall grade:" in text.stdout and "adjusted" in text.stdout and "[FAIL] Phrase Repetition" in text.stdout
    assert "authenticity:near_duplicate:" in text.stdout


def test_unknown_entity_and_never_assessed_entity_get_one_clear_line(tmp_path):
    prepare(tmp_path)
    unknown = starwatch(tmp_path, "authenticity", "ghost")
    assert unknown.returncode == 2 and unknown.stderr.startswith("starwatch: error: ") and "cafe" in unknown.stderr
    never = starwatch(tmp_path, "authenticity", "bar", "--cached")
    assert never.returncode == 1 and "without --cached" in never.stderr and "Traceback" not in never.stderr
