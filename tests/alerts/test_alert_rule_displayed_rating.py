"""``displayed_rating_drop``: the platform's own average (snapshots), including a rounded-star flip."""

from __future__ import annotations

from alert_support import DAY, HOUR, NOW, outcomes, rule, snapshot
from workers.alerts.engine import evaluate_alerts
from workers.alerts.rules.displayed_rating import displayed_stars

RULE = {"id": "displayed", "type": "displayed_rating_drop", "window_days": 7, "min_drop": 0.1}


def test_platform_rounding_is_half_up_to_half_stars():
    assert [displayed_stars(x, 0.5) for x in (4.24, 4.25, 4.74, 4.75)] == [4.0, 4.5, 4.5, 5.0]
    assert displayed_stars(3.5, 1) == 4.0


def test_a_drop_of_the_displayed_average_fires_per_source(alert_env):
    settings, store = alert_env(rules=[RULE])
    store.add_snapshots([
        snapshot("cafe-lumiere", "lumiere-site", NOW - 9 * DAY, 4.5), snapshot("cafe-lumiere", "lumiere-site", NOW - HOUR, 4.3),
        snapshot("cafe-lumiere", "lumiere-maps", NOW - 9 * DAY, 4.6), snapshot("cafe-lumiere", "lumiere-maps", NOW - HOUR, 4.58),
    ])

    [evaluation] = rule(settings, **RULE).evaluate(store, ["cafe-lumiere"], NOW)

    assert evaluation.outcome == "match"
    [change] = evaluation.match.changes
    assert (change.source, change.before, change.now, change.flipped) == ("lumiere-site", 4.5, 4.3, False)  # 4.3 still shows 4.5★


def test_a_tiny_move_that_flips_the_stars_shown_fires_on_its_own(alert_env):
    only_flips = {**RULE, "min_drop": None}
    settings, store = alert_env(rules=[only_flips])
    store.add_snapshots([snapshot("cafe-lumiere", "lumiere-site", NOW - 8 * DAY, 4.26),
                         snapshot("cafe-lumiere", "lumiere-site", NOW - HOUR, 4.24),
                         snapshot("bistro-soleil", "soleil-site", NOW - 8 * DAY, 4.40),
                         snapshot("bistro-soleil", "soleil-site", NOW - HOUR, 4.30)])  # 0.1 lower, still 4.5★

    assert outcomes(rule(settings, **only_flips), store, ["cafe-lumiere", "bistro-soleil"]) == {
        "cafe-lumiere": "match", "bistro-soleil": "clear"}
    [fired] = evaluate_alerts(settings, store, now=NOW).fired
    assert fired.subject == "Café Lumière: displayed rating 4.26★ → 4.24★ on lumiere-site (stars shown 4.5★ → 4.0★)"


def test_displays_from_few_ratings_or_without_history_do_not_fire(alert_env):
    settings, store = alert_env(rules=[RULE])
    store.add_snapshots([snapshot("cafe-lumiere", "lumiere-site", NOW - 8 * DAY, 5.0, count=3),
                         snapshot("cafe-lumiere", "lumiere-site", NOW - HOUR, 3.0, count=4),  # 4 ratings < 10
                         snapshot("bistro-soleil", "soleil-site", NOW - HOUR, 3.0)])  # nothing a week ago

    assert outcomes(rule(settings, **RULE), store, ["cafe-lumiere", "bistro-soleil", "the-kettle"]) == {
        "cafe-lumiere": "clear", "bistro-soleil": "insufficient", "the-kettle": "insufficient"}


def test_resolves_once_the_display_recovered_for_a_day(alert_env):
    settings, store = alert_env(rules=[RULE])
    store.add_snapshots([snapshot("cafe-lumiere", "lumiere-site", NOW - 9 * DAY, 4.5),
                         snapshot("cafe-lumiere", "lumiere-site", NOW - HOUR, 4.2)])
    [fired] = evaluate_alerts(settings, store, now=NOW).fired

    store.add_snapshots([snapshot("cafe-lumiere", "lumiere-site", NOW + 5 * DAY, 4.5)])
    assert evaluate_alerts(settings, store, now=NOW + 8 * DAY).resolved == []
    [resolved] = evaluate_alerts(settings, store, now=NOW + 9 * DAY).resolved
    assert resolved.incident_id == fired.incident.incident_id
    assert {d.event for d in store.list_deliveries()} == {"opened", "resolved"}
