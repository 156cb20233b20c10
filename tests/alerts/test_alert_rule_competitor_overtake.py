"""``competitor_overtake``: smoothed averages of group members, this window against the one before."""

from __future__ import annotations

from alert_support import DAY, NOW, outcomes, reviews, rule
from workers.alerts.engine import evaluate_alerts

RULE = {"id": "overtake", "type": "competitor_overtake", "window_days": 30, "min_reviews": 5}


def seed(store, ours_before, ours_now, theirs_before, theirs_now, n=20):
    store.upsert_reviews(reviews("cafe-lumiere", [ours_before] * n, NOW - 45 * DAY)
                         + reviews("cafe-lumiere", [ours_now] * n, NOW - 10 * DAY)
                         + reviews("bistro-soleil", [theirs_before] * n, NOW - 45 * DAY, language="fr")
                         + reviews("bistro-soleil", [theirs_now] * n, NOW - 10 * DAY, language="fr"))


def test_a_competitor_passing_us_fires_with_both_gaps(alert_env):
    settings, store = alert_env(rules=[RULE])
    seed(store, ours_before=5, ours_now=4, theirs_before=4, theirs_now=5)

    evaluations = {e.entity_id: e for e in rule(settings, **RULE).evaluate(store, ["cafe-lumiere", "bistro-soleil"], NOW)}

    assert evaluations["bistro-soleil"].outcome == "clear"  # it is the one moving up
    [change] = evaluations["cafe-lumiere"].match.changes
    assert change.competitor_id == "bistro-soleil" and change.overtaken
    assert change.gap_before > 0 > change.gap_now
    [fired] = evaluate_alerts(settings, store, now=NOW).fired
    assert fired.subject == "Café Lumière: overtaken by Bistro Soleil (3.87★ vs 4.61★)"  # smoothed, 7 × 3.5★


def test_few_reviews_are_insufficient_and_no_group_is_clear(alert_env):
    settings, store = alert_env(rules=[RULE])
    seed(store, 5, 4, 4, 5, n=3)

    assert outcomes(rule(settings, **RULE), store, ["cafe-lumiere", "the-kettle"]) == {
        "cafe-lumiere": "insufficient", "the-kettle": "clear"}


def test_smoothing_keeps_a_handful_of_perfect_reviews_from_overtaking(alert_env):
    settings, store = alert_env(rules=[RULE])
    store.upsert_reviews(reviews("cafe-lumiere", [5, 4] * 50, NOW - 45 * DAY) + reviews("cafe-lumiere", [5, 4] * 50, NOW - 10 * DAY)
                         + reviews("bistro-soleil", [4] * 5, NOW - 45 * DAY) + reviews("bistro-soleil", [5] * 5, NOW - 10 * DAY))

    assert outcomes(rule(settings, **RULE), store, ["cafe-lumiere"]) == {"cafe-lumiere": "clear"}


def test_gap_moving_against_us_fires_when_asked_and_resolves(alert_env):
    options = {**RULE, "overtake": False, "min_gap_change": 0.3}
    settings, store = alert_env(rules=[options])
    seed(store, ours_before=5, ours_now=4, theirs_before=3, theirs_now=3)  # still ahead, but lost about 0.7

    assert outcomes(rule(settings, **options), store, ["cafe-lumiere"]) == {"cafe-lumiere": "match"}
    [fired] = evaluate_alerts(settings, store, now=NOW).fired
    assert "gained" in fired.subject
    later = NOW + 61 * DAY  # both windows now hold nothing: insufficient keeps it open
    assert evaluate_alerts(settings, store, now=later).resolved == []
    store.upsert_reviews(reviews("cafe-lumiere", [4] * 20, later - 40 * DAY) + reviews("cafe-lumiere", [4] * 20, later - 5 * DAY)
                         + reviews("bistro-soleil", [3] * 20, later - 40 * DAY) + reviews("bistro-soleil", [3] * 20, later - 5 * DAY))
    evaluate_alerts(settings, store, now=later)
    [resolved] = evaluate_alerts(settings, store, now=later + 2 * DAY).resolved
    assert resolved.incident_id == fired.incident.incident_id
