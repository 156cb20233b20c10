"""Store contract for the alerting reads and the delivery log: one mixin every backend passes.

``search.testing.StoreContract`` includes ``AlertStoreContract``, so the SQLite and Elasticsearch
test classes run it with their own ``store`` fixture. The records are invented here (French and
English); times are fixed so every window boundary is checked exactly. Reads no settings.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from search.documents import AlertDelivery, Incident, Review, make_review_id
from search.testing_corpus import CAFE, PIZZERIA, UTC, make_sample_snapshot

END = datetime(2024, 3, 12, 10, tzinfo=UTC)
DAY = timedelta(days=1)


def _review(name: str, entity: str, rating: float | None, published: datetime, *, source: str = "port-site",
            sentiment: float | None = None, aspects=(), flags=(), collected: datetime | None = None) -> Review:
    label = None if sentiment is None else ("negative" if sentiment < -0.05 else "positive" if sentiment > 0.05 else "neutral")
    return Review(review_id=make_review_id(source, name), source=source, platform="schema_org", external_id=name,
                  entity_id=entity, rating=rating, text=f"Avis {name} : rien de spécial.", language="fr",
                  published_at=published, sentiment_score=sentiment, sentiment_label=label,
                  aspects=list(aspects), flags=list(flags), collected_at=collected or published + timedelta(hours=1))


def _delivery(delivery_id: str, *, status="pending", not_before=END, incident_id="inc-1", created=END) -> AlertDelivery:
    return AlertDelivery(delivery_id=delivery_id, event_id=delivery_id.split("/")[0], event="opened",
                         recipient="gerance@cafe.example", incident_id=incident_id, rule_id="rating-drop",
                         entity_id=CAFE, subject="Café du Port : 4,4★ → 3,9★", text="texte", html="<p>html</p>",
                         created_at=created, not_before=not_before, status=status)


class AlertStoreContract:
    """Needs the ``store`` fixture of ``search.testing._StoreFixture`` (a fresh, ready store)."""

    @pytest.fixture
    def activity(self, store):
        reviews = [
            _review("a", CAFE, 1, END - timedelta(hours=1), sentiment=-0.8, aspects=["service"], flags=["integrity:hygiene"]),
            _review("b", CAFE, 2, END - DAY, sentiment=-0.4, aspects=["service", "prix"]),  # exactly a period start
            _review("c", CAFE, 5, END - DAY - timedelta(seconds=1), sentiment=0.9, aspects=["prix"],
                    flags=["campaign:burst-1"], source="port-maps"),
            _review("d", CAFE, None, END - 2 * DAY, sentiment=-0.2),  # unrated, still a review
            _review("e", CAFE, 4, END, sentiment=0.5),  # at ``end``: outside every period
            _review("f", PIZZERIA, 3, END - 3 * DAY, source="luna-site", flags=["authenticity:one-day-reviewer"]),
        ]
        store.upsert_reviews(reviews)
        store.refresh()
        return store

    def test_review_counts_per_period_with_exact_boundaries(self, activity):
        counts = activity.review_counts([CAFE, PIZZERIA, "nobody"], END, DAY, 3)
        assert counts == {CAFE: [2, 2, 0], PIZZERIA: [0, 0, 1], "nobody": [0, 0, 0]}

    def test_review_counts_of_negative_reviews_by_rating_or_sentiment(self, activity):
        assert activity.review_counts([CAFE], END, DAY, 3, max_rating=2)[CAFE] == [2, 0, 0]
        assert activity.review_counts([CAFE], END, DAY, 3, sentiment_labels=["negative"])[CAFE] == [2, 1, 0]
        either = activity.review_counts([CAFE], END, DAY, 4, max_rating=3, sentiment_labels=["negative"])
        assert either[CAFE] == [2, 1, 0, 0]

    def test_sentiment_overall_and_per_aspect(self, activity):
        stats = activity.sentiment_stats([CAFE, PIZZERIA], END - 3 * DAY, END, by_aspect=True)
        cafe = stats[CAFE]
        assert (cafe.count, cafe.average) == (4, pytest.approx((-0.8 - 0.4 + 0.9 - 0.2) / 4))
        assert cafe.aspects["service"].count == 2 and cafe.aspects["service"].average == pytest.approx(-0.6)
        assert cafe.aspects["prix"].count == 2 and cafe.aspects["prix"].average == pytest.approx(0.25)
        assert (stats[PIZZERIA].count, stats[PIZZERIA].average) == (0, None)
        assert activity.sentiment_stats([CAFE], END - 3 * DAY, END)[CAFE].aspects == {}

    def test_matching_reviews_by_rating_and_flag_prefix_newest_first(self, activity):
        low = activity.matching_reviews([CAFE, PIZZERIA], END - 5 * DAY, END, max_rating=2)
        assert [r.external_id for r in low] == ["a", "b"]
        flagged = activity.matching_reviews([CAFE, PIZZERIA], None, None, flag_prefixes=["campaign:", "authenticity:"])
        assert [r.external_id for r in flagged] == ["c", "f"]
        assert activity.matching_reviews([CAFE], None, None, flag_prefixes=["integrity:"], max_rating=1)[0].external_id == "a"
        assert activity.matching_reviews([CAFE], None, None, flag_prefixes=["integrity_"]) == []  # "_" is literal
        assert len(activity.matching_reviews([CAFE], None, None, limit=2)) == 2

    def test_source_activity_per_source(self, activity):
        sources = {a.source: a for a in activity.source_activity([CAFE, "nobody"])[CAFE]}
        assert sources["port-site"].reviews == 4 and sources["port-maps"].reviews == 1
        assert sources["port-site"].last_published_at == END
        assert sources["port-site"].last_collected_at == END + timedelta(hours=1)
        assert activity.source_activity(["nobody"]) == {"nobody": []}
        before = {a.source: a for a in activity.source_activity([CAFE], until=END)[CAFE]}
        assert before["port-site"].last_published_at == END - timedelta(hours=1)

    def test_snapshots_before_a_time(self, store):
        monday, tuesday = datetime(2024, 3, 4, 6, tzinfo=UTC), datetime(2024, 3, 5, 6, tzinfo=UTC)
        store.add_snapshots([make_sample_snapshot(CAFE, "port-site", monday, 4.4),
                             make_sample_snapshot(CAFE, "port-site", tuesday, 4.2),
                             make_sample_snapshot(CAFE, "port-maps", tuesday, 4.6)])
        store.refresh()
        assert {(s.source, s.average) for s in store.snapshots_before([CAFE], tuesday)[CAFE]} == {("port-site", 4.4)}
        later = store.snapshots_before([CAFE, "nobody"], tuesday + DAY)
        assert {(s.source, s.average) for s in later[CAFE]} == {("port-site", 4.2), ("port-maps", 4.6)}
        assert later["nobody"] == []

    def test_incidents_in_bulk_by_id_and_latest(self, store):
        def incident(number, entity, status="open"):
            return Incident(incident_id=f"inc-{number}", rule_id="rating-drop", rule_type="rating_drop",
                            entity_id=entity, status=status, opened_at=END - number * DAY,
                            resolved_at=END if status == "resolved" else None, sequence=number,
                            acknowledged_by="Léa" if number == 2 else None)

        store.save_incidents([incident(1, CAFE, "resolved"), incident(2, CAFE), incident(3, PIZZERIA)])
        store.save_incidents([])
        assert store.get_incident("inc-2") == incident(2, CAFE)
        assert store.get_incident("inc-404") is None
        latest = store.latest_incidents("rating-drop", [CAFE, PIZZERIA, "nobody"])
        assert {entity: i.incident_id for entity, i in latest.items()} == {CAFE: "inc-1", PIZZERIA: "inc-3"}
        assert latest[CAFE] == incident(1, CAFE, "resolved")  # opened last: a day after inc-2
        assert store.latest_incidents("other-rule", [CAFE]) == {}
        assert store.get_open_incident("rating-drop", CAFE).incident_id == "inc-2"

    def test_recording_a_delivery_twice_keeps_the_first(self, store):
        first = _delivery("evt-1/a")
        assert store.add_deliveries([first, _delivery("evt-2/a")]) == ["evt-1/a", "evt-2/a"]
        assert store.add_deliveries([first.model_copy(update={"subject": "changed"}), _delivery("evt-3/a")]) == ["evt-3/a"]
        listed = store.list_deliveries()
        assert [d.delivery_id for d in listed] == ["evt-1/a", "evt-2/a", "evt-3/a"]
        assert listed[0] == first

    def test_claim_is_exclusive_and_stale_claims_can_be_taken_over(self, store):
        store.add_deliveries([_delivery("evt-1/a"), _delivery("evt-2/a", not_before=END + DAY)])
        claimed = store.claim_delivery("evt-1/a", "worker-1", END, stale_before=END - timedelta(minutes=5))
        assert (claimed.status, claimed.claimed_by, claimed.attempts) == ("sending", "worker-1", 1)
        assert store.claim_delivery("evt-1/a", "worker-2", END, stale_before=END - timedelta(minutes=5)) is None
        assert store.claim_delivery("evt-2/a", "worker-2", END, stale_before=END) is None  # not due yet
        assert store.claim_delivery("evt-404", "worker-2", END, stale_before=END) is None
        later = END + timedelta(minutes=10)
        taken_over = store.claim_delivery("evt-1/a", "worker-2", later, stale_before=later - timedelta(minutes=5))
        assert (taken_over.claimed_by, taken_over.attempts) == ("worker-2", 2)
        store.save_delivery(taken_over.model_copy(update={"status": "sent", "sent_at": later, "message_id": "<m@x>"}))
        assert store.claim_delivery("evt-1/a", "worker-3", later + DAY, stale_before=later + DAY) is None
        assert [d.delivery_id for d in store.list_deliveries(["sent"])] == ["evt-1/a"]
        assert [d.delivery_id for d in store.list_deliveries(["pending", "sending"])] == ["evt-2/a"]

    def test_concurrent_claimants_one_wins(self, store):
        store.add_deliveries([_delivery("evt-race/a")])
        winners: list[str] = []

        def claim(name: str) -> None:
            if store.claim_delivery("evt-race/a", name, END, stale_before=END - DAY) is not None:
                winners.append(name)

        threads = [threading.Thread(target=claim, args=(f"worker-{n}",)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(winners) == 1

    def test_deliveries_of_one_incident(self, store):
        store.add_deliveries([_delivery("evt-1/a", incident_id="inc-1"), _delivery("evt-2/a", incident_id="inc-2")])
        assert [d.delivery_id for d in store.list_deliveries(incident_id="inc-2")] == ["evt-2/a"]
        assert store.list_deliveries(["sent"]) == []

    def test_alert_marks(self, store):
        assert store.get_alert_marks() == {}
        store.set_alert_mark("first-run:rating-drop", END)
        store.set_alert_mark("first-run:rating-drop", END + DAY)
        assert store.get_alert_marks() == {"first-run:rating-drop": END + DAY}
