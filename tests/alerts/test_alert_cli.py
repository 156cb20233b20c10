"""``starwatch alerts test-rule|list|ack|resolve`` through the real CLI (typer), on a real SQLite store."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from alert_support import DAY, reviews
from search.documents import utcnow
from starwatch.cli import app
from workers.alerts.engine import evaluate_alerts

DROP = {"id": "drop", "type": "rating_drop"}


@pytest.fixture
def cli(alert_env, tmp_path, monkeypatch):
    settings, store = alert_env(rules=[DROP])
    now = utcnow()  # the CLI runs on the real clock, so the data is placed relative to it
    store.upsert_reviews(reviews("cafe-lumiere", [5, 4] * 6, now - 20 * DAY) + reviews("cafe-lumiere", [1, 2] * 4, now - 2 * DAY))
    monkeypatch.setenv("STARWATCH_CONFIG", str(tmp_path / "starwatch.yaml"))
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(app, ["alerts", *args], catch_exceptions=False)

    return settings, store, invoke


def test_test_rule_prints_what_would_fire_and_records_nothing(cli, tmp_path):
    _, store, invoke = cli

    result = invoke("test-rule", str(tmp_path / "rules" / "drop.yaml"), "--since", "30d")

    assert result.exit_code == 0, result.output
    assert "Rule drop (rating_drop) on 3 entities" in result.output and "Dry run: nothing recorded, nothing sent." in result.output
    assert "- cafe-lumiere: from " in result.output and "still open" in result.output
    assert store.list_incidents() == [] and store.list_deliveries() == []
    as_json = json.loads(invoke("test-rule", str(tmp_path / "rules" / "drop.yaml"), "--json").output)
    assert as_json["would_fire"] == 1 and as_json["incidents"][0]["entity_id"] == "cafe-lumiere"


def test_test_rule_refuses_a_bad_file_and_a_bad_duration(cli, tmp_path):
    _, _, invoke = cli
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ntype: rating_drop\nmin_drop: -2\n", encoding="utf-8")

    refused = invoke("test-rule", str(bad))
    assert refused.exit_code == 1 and f"starwatch: error: {bad}: key 'min_drop'" in refused.output
    wrong = invoke("test-rule", str(tmp_path / "rules" / "drop.yaml"), "--since", "ninety days")
    assert wrong.exit_code == 1 and "--since 'ninety days' is not a duration" in wrong.output


def test_list_ack_and_resolve(cli):
    settings, store, invoke = cli
    [fired] = evaluate_alerts(settings, store).fired
    incident_id = fired.incident.incident_id

    listed = invoke("list")
    assert incident_id in listed.output and "cafe-lumiere  open" in listed.output
    acked = invoke("ack", incident_id, "--by", "Léa\nMartin")
    assert acked.exit_code == 0 and "acknowledged by Léa Martin" in acked.output
    assert store.get_incident(incident_id).acknowledged_by == "Léa Martin"

    resolved = invoke("resolve", incident_id, "--json")
    assert json.loads(resolved.output)["resolution"] == "manual"
    assert invoke("list").output.strip() == "No alerts."
    assert incident_id in invoke("list", "--status", "all").output
    again = invoke("ack", incident_id)
    assert again.exit_code == 1 and "already resolved" in again.output
    unknown = invoke("resolve", "i_nope")
    assert unknown.exit_code == 1 and "no alert 'i_nope'; list the open ones with: starwatch alerts list" in unknown.output
