"""The incident lifecycle as a pure function, with a frozen clock (no store, no email)."""

from __future__ import annotations

from datetime import timedelta

from alert_support import DAY, HOUR, NOW
from search.documents import Incident
from workers.alerts.lifecycle import Policy, advance, incident_id_after
from workers.alerts.rules.base import Evaluation, RuleMatch

WINDOW = Policy(resolve_after=timedelta(hours=24))
EVENTS = Policy(event_based=True, notify_resolved=False)


def match(evidence=(), at=NOW):
    found = RuleMatch("rating-drop", "rating_drop", "cafe-lumiere", at, evidence_ids=tuple(evidence))
    return Evaluation("rating-drop", "cafe-lumiere", "match", "dropped", found)


def clear():
    return Evaluation("rating-drop", "cafe-lumiere", "clear", "fine again")


def insufficient():
    return Evaluation("rating-drop", "cafe-lumiere", "insufficient", "two reviews")


def opened(policy=WINDOW, evidence=()) -> Incident:
    step = advance(None, match(evidence), policy, NOW)
    assert step.event == "opened" and step.incident.status == "open"
    return step.incident


def test_a_match_opens_once_with_an_id_derived_from_the_previous_incident():
    first = advance(None, match(), WINDOW, NOW)
    again = advance(None, match(), WINDOW, NOW + HOUR)  # a second worker at about the same time

    assert first.incident.incident_id == again.incident.incident_id == incident_id_after("rating-drop", "cafe-lumiere", None)
    assert first.event_id == f"{first.incident.incident_id}:opened" and first.not_before == NOW
    assert advance(first.incident, match(), WINDOW, NOW + HOUR).event is None  # fires once, not every run
    later = advance(None, match(), WINDOW, NOW + DAY, latest=first.incident.model_copy(
        update={"status": "resolved", "resolved_at": NOW + HOUR}))
    assert later.incident.incident_id != first.incident.incident_id and later.incident.sequence == 2


def test_resolves_only_after_the_condition_stayed_clear_for_resolve_after():
    incident = opened()

    started = advance(incident, clear(), WINDOW, NOW + HOUR)
    assert started.event is None and started.incident.clear_since == NOW + HOUR and started.incident.status == "open"
    incident = started.incident
    assert advance(incident, clear(), WINDOW, NOW + 12 * HOUR) .incident is None  # still waiting, nothing to save
    assert advance(incident, insufficient(), WINDOW, NOW + 20 * HOUR).incident is None  # no data: the clock keeps running
    done = advance(incident, clear(), WINDOW, NOW + 25 * HOUR)
    assert (done.event, done.incident.status, done.incident.resolution) == ("resolved", "resolved", "cleared")
    assert done.incident.resolved_at == NOW + 25 * HOUR and done.event_id.endswith(":resolved")


def test_a_new_match_stops_the_resolution_clock():
    incident = advance(opened(), clear(), WINDOW, NOW + HOUR).incident

    back = advance(incident, match(), WINDOW, NOW + 2 * HOUR)

    assert back.event is None and back.incident.clear_since is None
    assert advance(back.incident, clear(), WINDOW, NOW + 26 * HOUR).incident.status == "open"  # clock restarted


def test_insufficient_data_neither_opens_nor_resolves():
    assert advance(None, insufficient(), WINDOW, NOW).incident is None
    assert advance(opened(), insufficient(), WINDOW, NOW + 30 * DAY).incident is None


def test_reminders_every_realert_until_acknowledged():
    policy = Policy(realert=timedelta(hours=6))
    incident = opened(policy)

    assert advance(incident, match(), policy, NOW + 5 * HOUR).event is None
    reminder = advance(incident, match(), policy, NOW + 6 * HOUR)
    assert reminder.event == "reminder" and reminder.event_id.endswith(":reminder:1")
    assert reminder.incident.last_alerted_at == NOW + 6 * HOUR and reminder.incident.alert_count == 1
    acknowledged = reminder.incident.model_copy(update={"acknowledged_at": NOW + 7 * HOUR})
    assert advance(acknowledged, match(), policy, NOW + 20 * HOUR).event is None


def test_event_rules_send_an_update_only_for_evidence_not_reported_yet():
    incident = opened(EVENTS, evidence=["r1"])

    same = advance(incident, match(["r1"]), EVENTS, NOW + HOUR)
    assert same.event is None and same.incident is None
    update = advance(incident, match(["r2", "r1"]), EVENTS, NOW + 2 * HOUR)
    assert update.event == "update" and update.new_evidence == ("r2",)
    assert update.incident.evidence_ids == ["r1", "r2"] and update.event_id.endswith(":update:1")
    silenced = update.incident.model_copy(update={"acknowledged_at": NOW + 3 * HOUR})
    quiet = advance(silenced, match(["r3", "r2", "r1"]), EVENTS, NOW + 4 * HOUR)
    assert quiet.event is None and quiet.incident.evidence_ids == ["r1", "r2", "r3"]
    gone = advance(update.incident, clear(), EVENTS, NOW + 5 * HOUR)
    assert gone.incident.status == "resolved" and gone.event is None  # notify_resolved is off for event rules


def test_cooldown_delays_the_next_email_of_the_same_rule_and_entity():
    policy = Policy(cooldown=timedelta(hours=12))
    previous = opened(policy).model_copy(update={"status": "resolved", "resolved_at": NOW + HOUR, "last_alerted_at": NOW})

    reopened = advance(None, match(), policy, NOW + 2 * HOUR, latest=previous)

    assert reopened.event == "opened" and reopened.not_before == NOW + 12 * HOUR
    assert reopened.incident.last_alerted_at == NOW + 12 * HOUR


def test_historical_mode_records_without_any_event():
    step = advance(None, match(), WINDOW, NOW - 10 * DAY, historical=True)

    assert step.event is None and step.incident.historical and step.incident.incident_id.startswith("h_")
    done = advance(step.incident, clear(), Policy(), NOW - 9 * DAY, historical=True)
    assert done.incident.status == "resolved" and done.event is None
