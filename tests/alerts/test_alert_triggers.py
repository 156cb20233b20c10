"""``after_ingest``: evaluate the touched entities right after a batch is stored; send separately."""

from __future__ import annotations

from alert_support import DAY, HOUR, NOW, review, reviews
from workers.alerts.delivery import deliver_due
from workers.alerts.triggers import after_ingest, entity_ids_of
from workers.ingest import ingest_batch

NEGATIVE = {"id": "negative-review", "type": "new_negative_review"}


def test_batch_to_alert_to_smtp(alert_env, smtp_server):
    settings, store = alert_env(rules=[NEGATIVE], smtp_port=smtp_server.port)
    bad = review("bistro-soleil", 1, NOW - HOUR, language="fr", text="Plat froid et serveur désagréable.")
    batch = {"reviews": [bad.model_dump(mode="json"), review("cafe-lumiere", 5, NOW - HOUR).model_dump(mode="json")]}
    ingest_batch(batch, store)

    run = after_ingest(settings, store, entity_ids_of(batch), now=NOW)

    assert run.errors == [] and [f.incident.entity_id for f in run.fired] == ["bistro-soleil"]
    assert run.deliveries_recorded == 1 and smtp_server.messages == []  # recorded, not sent
    report = deliver_due(settings, store, now=NOW)
    [message] = smtp_server.wait_for(1)
    assert report.errors == [] and message["To"] == "patron@soleil.example"
    assert "Plat froid et serveur désagréable." in message.get_body(("plain",)).get_content()


def test_only_touched_entities_are_evaluated_and_unknown_ones_reported(alert_env):
    settings, store = alert_env(rules=[NEGATIVE])
    store.upsert_reviews(reviews("cafe-lumiere", [1], NOW - HOUR) + reviews("bistro-soleil", [1], NOW - HOUR, language="fr"))

    run = after_ingest(settings, store, ["cafe-lumiere", "closed-cafe"], now=NOW)

    assert run.evaluated == 1 and [f.incident.entity_id for f in run.fired] == ["cafe-lumiere"]
    assert run.errors == ["entity 'closed-cafe' of the ingested batch is not configured; no rule watches it"]
    assert after_ingest(settings, store, [], now=NOW).evaluated == 0


def test_entity_ids_of_a_batch():
    batch = {"reviews": [{"entity_id": "a"}, {"entity_id": "b"}], "snapshots": [{"entity_id": "a"}], "mentions": "junk"}
    assert entity_ids_of(batch) == ["a", "b"] and entity_ids_of(None) == []
