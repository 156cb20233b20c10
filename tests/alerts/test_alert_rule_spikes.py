"""``negative_spike`` and ``volume_spike``: current window against the windows before, frozen clock."""

from __future__ import annotations

import pytest

from alert_support import DAY, HOUR, NOW, outcomes, review, reviews, rule
from workers.alerts.engine import evaluate_alerts
from workers.alerts.rules.spikes import spike_figures

NEGATIVE = {"id": "negative-spike", "type": "negative_spike", "window_hours": 24, "baseline_windows": 28,
            "min_count": 3, "min_ratio": 2.0, "min_stddevs": 2.0}
VOLUME = {"id": "volume-spike", "type": "volume_spike", "min_count": 10, "min_ratio": 3.0, "min_stddevs": 3.0}


def quiet_month(entity_id="cafe-lumiere"):
    """One 1-star review every fourth day and two good ones a day, for 28 days before the current day."""
    found = [review(entity_id, 1, NOW - DAY - d * DAY - HOUR) for d in range(0, 28, 4)]
    found += [review(entity_id, 5, NOW - DAY - d * DAY - 2 * HOUR) for d in range(28)]
    found += [review(entity_id, 4, NOW - DAY - d * DAY - 3 * HOUR) for d in range(28)]
    return found


def test_spike_math_uses_a_poisson_floor_for_flat_baselines():
    flat = spike_figures([3] + [1] * 28)
    assert flat.mean == 1 and flat.stddev == 1 and flat.ratio == 3 and flat.stddevs == 2
    empty = spike_figures([2] + [0] * 28)
    assert empty.ratio == pytest.approx(56) and empty.stddevs == pytest.approx(2 / (1 / 28) ** 0.5)


def test_negative_spike_fires_with_figures_and_resolves(alert_env):
    settings, store = alert_env(rules=[NEGATIVE])
    store.upsert_reviews(quiet_month() + reviews("cafe-lumiere", [1, 2, 1, 2, 1], NOW - HOUR))

    [evaluation] = rule(settings, **NEGATIVE).evaluate(store, ["cafe-lumiere"], NOW)
    assert evaluation.outcome == "match"
    spike = evaluation.match
    assert spike.current == 5 and spike.baseline_mean == pytest.approx(7 / 28)
    assert spike.ratio == pytest.approx(20) and spike.stddevs > 2

    [fired] = evaluate_alerts(settings, store, now=NOW).fired
    assert fired.subject == "Café Lumière: 5 negative reviews in 24 hours (×20.0 the usual 0.2)"
    assert evaluate_alerts(settings, store, now=NOW + DAY + HOUR).resolved == []  # clear since now: wait 24 h
    [resolved] = evaluate_alerts(settings, store, now=NOW + 2 * DAY + 2 * HOUR).resolved
    assert resolved.incident_id == fired.incident.incident_id


def test_a_few_bad_reviews_are_not_a_spike(alert_env):
    settings, store = alert_env(rules=[NEGATIVE])
    store.upsert_reviews(reviews("the-kettle", [1, 1], NOW - HOUR))  # two, no history: below min_count

    assert outcomes(rule(settings, **NEGATIVE), store, ["the-kettle"]) == {"the-kettle": "clear"}


def test_usual_level_of_negatives_is_not_a_spike(alert_env):
    settings, store = alert_env(rules=[NEGATIVE])
    history = [review("cafe-lumiere", 1, NOW - DAY * d - HOUR * k) for d in range(1, 29) for k in (1, 2, 3)]
    store.upsert_reviews(history + reviews("cafe-lumiere", [1, 1, 1, 1], NOW - HOUR))  # 4 against 3 a day

    assert outcomes(rule(settings, **NEGATIVE), store, ["cafe-lumiere"]) == {"cafe-lumiere": "clear"}


def test_negative_sentiment_can_count_too(alert_env):
    options = {**NEGATIVE, "negative_max_rating": None, "negative_sentiment": True}
    settings, store = alert_env(rules=[options])
    store.upsert_reviews(reviews("cafe-lumiere", [4, 4, 4], NOW - HOUR, sentiment=-0.7))

    assert outcomes(rule(settings, **options), store, ["cafe-lumiere"]) == {"cafe-lumiere": "match"}


def test_volume_spike_needs_a_baseline_and_a_real_jump(alert_env):
    settings, store = alert_env(rules=[VOLUME])
    store.upsert_reviews(reviews("the-kettle", [5] * 30, NOW - HOUR, spacing=HOUR / 2))  # no baseline at all
    store.upsert_reviews(quiet_month() + reviews("cafe-lumiere", [5] * 30, NOW - HOUR, spacing=HOUR / 2))
    store.upsert_reviews(quiet_month("bistro-soleil") + reviews("bistro-soleil", [5] * 4, NOW - HOUR))

    assert outcomes(rule(settings, **VOLUME), store, ["the-kettle", "cafe-lumiere", "bistro-soleil"]) == {
        "the-kettle": "insufficient", "cafe-lumiere": "match", "bistro-soleil": "clear"}
