"""``source_silent``: sources with nothing new page the operators, never the customers."""

from __future__ import annotations

from alert_support import DAY, HOUR, NOW, outcomes, review, rule
from workers.alerts.engine import evaluate_alerts

RULE = {"id": "silent", "type": "source_silent", "silent_hours": 72, "stale_hours": 24}
OPERATORS = {"operators": ["ops@starwatch.example"]}


def test_never_collected_failing_and_quiet_sources(alert_env):
    settings, store = alert_env(rules=[RULE], alerts=OPERATORS)
    store.upsert_reviews([
        review("cafe-lumiere", 4, NOW - 5 * DAY, source="lumiere-site", collected=NOW - 2 * HOUR),  # quiet: no new review
        review("cafe-lumiere", 4, NOW - 2 * DAY, source="lumiere-maps", collected=NOW - 3 * DAY),  # crawls fail
        review("bistro-soleil", 4, NOW - DAY, source="soleil-site", collected=NOW - HOUR),  # fresh
    ])

    evaluations = {e.entity_id: e for e in rule(settings, **RULE).evaluate(store, ["cafe-lumiere", "bistro-soleil"], NOW)}

    assert evaluations["bistro-soleil"].outcome == "clear"
    problems = {p.source: p.problem for p in evaluations["cafe-lumiere"].match.problems}
    assert problems == {"lumiere-site": "no_new_reviews", "lumiere-maps": "crawl_failing"}


def test_alerts_go_to_operators_only(alert_env):
    settings, store = alert_env(rules=[RULE], alerts=OPERATORS)  # nothing collected yet anywhere

    run = evaluate_alerts(settings, store, now=NOW)

    assert {f.incident.entity_id for f in run.fired} == {"cafe-lumiere", "bistro-soleil"}
    assert all(f.incident.audience == "operators" for f in run.fired)
    assert {d.recipient for d in store.list_deliveries()} == {"ops@starwatch.example"}
    subjects = sorted(d.subject for d in store.list_deliveries())
    assert subjects[0] == "[operators] Bistro Soleil: 1 source without fresh data (soleil-site: never collected)"


def test_resolves_when_the_sources_are_fresh_again(alert_env):
    settings, store = alert_env(rules=[RULE], alerts=OPERATORS)
    [fired] = [f for f in evaluate_alerts(settings, store, now=NOW).fired if f.incident.entity_id == "bistro-soleil"]

    store.upsert_reviews([review("bistro-soleil", 5, NOW + HOUR, source="soleil-site", collected=NOW + 2 * HOUR)])
    resolved = evaluate_alerts(settings, store, now=NOW + 3 * HOUR).resolved

    assert [i.incident_id for i in resolved] == [fired.incident.incident_id]
    assert outcomes(rule(settings, **RULE), store, ["the-kettle"], NOW) == {"the-kettle": "clear"}  # no sources configured
