"""The whole alert pass on a real Elasticsearch store: every rule type, one email each, once."""

from __future__ import annotations

import pytest
import yaml

from alert_support import DAY, ENTITIES, HOUR, NOW, review, reviews, snapshot
from config.settings import load_settings
from search.factory import get_store
from workers.alerts.engine import run_alerts

pytestmark = pytest.mark.integration

RULES = [
    {"id": "drop", "type": "rating_drop"},
    {"id": "displayed", "type": "displayed_rating_drop"},
    {"id": "negative-review", "type": "new_negative_review"},
    {"id": "negative-spike", "type": "negative_spike"},
    {"id": "volume-spike", "type": "volume_spike", "min_count": 5},
    {"id": "sentiment", "type": "sentiment_drop", "aspects": ["*"]},
    {"id": "integrity", "type": "integrity_complaint"},
    {"id": "campaign", "type": "authenticity_campaign", "min_reviews": 2, "notify_competitors": False},
    {"id": "overtake", "type": "competitor_overtake", "window_days": 7},
    {"id": "silent", "type": "source_silent"},
]


def test_every_rule_type_fires_once_on_elasticsearch(tmp_path, es_url, es_index_prefix, smtp_server):
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    for options in RULES:
        (rules_dir / f"{options['id']}.yaml").write_text(yaml.safe_dump(options), encoding="utf-8")
    config = tmp_path / "starwatch.yaml"
    config.write_text(yaml.safe_dump({
        "store": {"backend": "elasticsearch"}, "elasticsearch": {"url": es_url, "index_prefix": es_index_prefix},
        "smtp": {"host": "127.0.0.1", "port": smtp_server.port, "sender": "starwatch <alerts@starwatch.example>"},
        "groups": [{"id": "old-town", "name": "Old Town cafés"}], "entities": ENTITIES,
        "alerts": {"rules": [], "rule_files": [str(rules_dir / "*.yaml")], "backfill_days": 7,
                   "operators": ["ops@starwatch.example"]},
    }, allow_unicode=True), encoding="utf-8")
    settings = load_settings(config)
    store = get_store(settings)
    try:
        store.upsert_reviews(
            reviews("cafe-lumiere", [5, 4] * 20, NOW - 8 * DAY, sentiment=0.6, aspects=["service"], spacing=12 * HOUR)
            + reviews("cafe-lumiere", [1, 2] * 4, NOW - 2 * HOUR, sentiment=-0.6, aspects=["service"], spacing=HOUR / 4)
            + [review("cafe-lumiere", 2, NOW - HOUR, flags=["integrity:hygiene", "campaign:burst-2"]),
               review("cafe-lumiere", 5, NOW - HOUR, flags=["campaign:burst-2"])]
            + reviews("bistro-soleil", [4] * 24, NOW - DAY, language="fr", spacing=DAY / 2))
        store.add_snapshots([snapshot("cafe-lumiere", "lumiere-site", NOW - 10 * DAY, 4.5),
                             snapshot("cafe-lumiere", "lumiere-site", NOW - HOUR, 4.2)])
        store.refresh()

        first = run_alerts(settings, store, now=NOW)

        assert first.errors == []
        fired = {(f.incident.rule_id, f.incident.entity_id) for f in first.fired}
        assert {rule["id"] for rule in RULES} == {rule_id for rule_id, _ in fired}
        messages = smtp_server.wait_for(first.emails_sent)
        assert first.emails_sent == len(messages) >= len(RULES)
        assert {m["To"] for m in messages if m["X-Starwatch-Rule"] == "silent"} == {"ops@starwatch.example"}
        again = run_alerts(settings, store, now=NOW + HOUR)
        assert again.fired == [] and again.emails_sent == 0
    finally:
        store.close()
