"""``sentiment_drop``: overall and per aspect, with small-sample guards, frozen clock."""

from __future__ import annotations

from alert_support import DAY, NOW, outcomes, reviews, rule
from workers.alerts.engine import evaluate_alerts

RULE = {"id": "sentiment", "type": "sentiment_drop", "recent_days": 7, "baseline_days": 30,
        "min_recent_reviews": 5, "min_baseline_reviews": 5, "min_drop": 0.25, "aspects": ["*"], "min_aspect_reviews": 3}


def test_overall_sentiment_drop_fires(alert_env):
    settings, store = alert_env(rules=[RULE])
    store.upsert_reviews(reviews("cafe-lumiere", [4] * 8, NOW - 20 * DAY, sentiment=0.6) +
                         reviews("cafe-lumiere", [3] * 6, NOW - 2 * DAY, sentiment=-0.2))

    [evaluation] = rule(settings, **RULE).evaluate(store, ["cafe-lumiere"], NOW)

    assert evaluation.outcome == "match" and evaluation.match.overall_dropped
    assert round(evaluation.match.before, 2) == 0.6 and round(evaluation.match.now, 2) == -0.2


def test_one_aspect_souring_fires_even_when_the_overall_tone_holds(alert_env):
    settings, store = alert_env(rules=[RULE])
    store.upsert_reviews(
        reviews("bistro-soleil", [5] * 4, NOW - 20 * DAY, sentiment=0.7, aspects=["service"], language="fr")
        + reviews("bistro-soleil", [5] * 4, NOW - 21 * DAY, sentiment=0.1, aspects=["prix"], language="fr")
        + reviews("bistro-soleil", [2] * 3, NOW - 2 * DAY, sentiment=-0.3, aspects=["service"], language="fr")
        + reviews("bistro-soleil", [5] * 3, NOW - 3 * DAY, sentiment=0.9, aspects=["prix"], language="fr"))

    [evaluation] = rule(settings, **RULE).evaluate(store, ["bistro-soleil"], NOW)

    assert evaluation.outcome == "match" and not evaluation.match.overall_dropped
    assert [a.aspect for a in evaluation.match.aspects] == ["service"]
    [fired] = evaluate_alerts(settings, store, now=NOW).fired
    assert fired.subject == "Bistro Soleil : ton sur « service » +0,70 → −0,30 sur 7 jours"
    assert rule(settings, **{**RULE, "aspects": None}).evaluate(store, ["bistro-soleil"], NOW)[0].outcome == "clear"


def test_small_samples_are_insufficient_and_thin_aspects_are_ignored(alert_env):
    settings, store = alert_env(rules=[RULE])
    store.upsert_reviews(reviews("cafe-lumiere", [4] * 8, NOW - 20 * DAY, sentiment=0.6)
                         + reviews("cafe-lumiere", [1] * 4, NOW - 2 * DAY, sentiment=-0.9)  # four: below five
                         + reviews("bistro-soleil", [4] * 8, NOW - 20 * DAY, sentiment=0.5, aspects=["prix"])
                         + reviews("bistro-soleil", [4] * 5, NOW - 2 * DAY, sentiment=0.5)
                         + reviews("bistro-soleil", [1] * 2, NOW - 2 * DAY, sentiment=0.4, aspects=["prix"]))

    assert outcomes(rule(settings, **RULE), store, ["cafe-lumiere", "bistro-soleil"]) == {
        "cafe-lumiere": "insufficient", "bistro-soleil": "clear"}


def test_resolves_when_the_tone_recovers(alert_env):
    settings, store = alert_env(rules=[RULE])
    store.upsert_reviews(reviews("cafe-lumiere", [4] * 8, NOW - 20 * DAY, sentiment=0.6) +
                         reviews("cafe-lumiere", [3] * 6, NOW - 2 * DAY, sentiment=-0.2))
    [fired] = evaluate_alerts(settings, store, now=NOW).fired

    store.upsert_reviews(reviews("cafe-lumiere", [5] * 30, NOW + DAY, sentiment=0.8))
    evaluate_alerts(settings, store, now=NOW + 2 * DAY)
    [resolved] = evaluate_alerts(settings, store, now=NOW + 3 * DAY).resolved
    assert resolved.incident_id == fired.incident.incident_id
