"""The store contract for crawl bookkeeping: crawl state, review events and crawl events.

Mixed into ``search.testing.StoreContract`` so every backend passes it; the ``store`` fixture
comes from the backend's test class. Event writes and crawl state are promised to be visible at
once (the next crawl and the alert rules read them straight back). Reads no settings.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from search.backends.base import QueryError
from search.crawl_records import (
    CrawlEvent, CrawlState, KnownReview, ReviewEvent, ReviewVersion, make_crawl_event_id, make_review_event_id,
)

UTC = timezone.utc
T0 = datetime(2024, 5, 6, 7, 0, tzinfo=UTC)


def sample_review_event(kind="edited", review_id="r_1", source="port-site", hours=0) -> ReviewEvent:
    at = T0 + timedelta(hours=hours)
    return ReviewEvent(
        event_id=make_review_event_id(review_id, kind, at), kind=kind, review_id=review_id, source=source,
        platform="schema_org", entity_id="cafe-du-port", occurred_at=at,
        previous=ReviewVersion(rating=4.0, title="Bien", text="Bon café, « service » rapide."),
        current=None if kind == "deleted" else ReviewVersion(rating=2.0, text="Finalement, service très lent."),
        url="https://port.invalid/avis?page=2",
    )


def sample_crawl_event(source="port-site", status="ok", hours=0, entity="cafe-du-port") -> CrawlEvent:
    started = T0 + timedelta(hours=hours)
    return CrawlEvent(
        event_id=make_crawl_event_id(source, started), source=source, entity_id=entity, platform="schema_org",
        status=status, started_at=started, occurred_at=started + timedelta(minutes=2), finish_reason="finished",
        pages=3, reviews=12, new_reviews=2, snapshots=1, problems=[] if status == "ok" else ["no page was parsed"],
        stats={"starwatch/pages": 3, "starwatch/request_error_example": "timeout"},
    )


class CrawlStateContract:
    def test_state_round_trips_and_is_replaced(self, store):
        assert store.get_crawl_state("port-site") is None
        state = CrawlState(
            source="port-site", entity_id="cafe-du-port", high_water_mark=T0, listing_keys=["k1", "k2"],
            known_reviews={"r_1": KnownReview(digest="d1"), "r_2": KnownReview(digest="d2", missing_streak=1),
                           "r_3": KnownReview(digest="d3", edited=True, slot="s_1", seen_as="r_9")},
            last_crawl_at=T0, last_complete_listing_at=T0, updated_at=T0,
        )
        store.save_crawl_state(state)
        assert store.get_crawl_state("port-site") == state
        later = state.model_copy(update={"listing_keys": ["k3"], "known_reviews": {}})
        store.save_crawl_state(later)
        assert store.get_crawl_state("port-site") == later
        assert store.get_crawl_state("other-site") is None


class ReviewEventsContract:
    def test_events_are_stored_once_and_listed_newest_first(self, store):
        edited, deleted = sample_review_event("edited", hours=1), sample_review_event("deleted", "r_2", hours=2)
        assert store.add_review_events([edited, deleted]) == 2
        assert store.add_review_events([edited]) == 0
        assert store.list_review_events() == [deleted, edited]

    def test_events_are_filtered(self, store):
        events = [sample_review_event("edited", "r_1", hours=1), sample_review_event("deleted", "r_2", hours=2),
                  sample_review_event("edited", "r_3", source="luna-site", hours=3)]
        store.add_review_events(events)
        assert [e.review_id for e in store.list_review_events(kinds=["deleted"])] == ["r_2"]
        assert [e.review_id for e in store.list_review_events(source_ids=["port-site"])] == ["r_2", "r_1"]
        assert [e.review_id for e in store.list_review_events(review_ids=["r_1"])] == ["r_1"]
        window = store.list_review_events(since=T0 + timedelta(hours=2), until=T0 + timedelta(hours=3))
        assert [e.review_id for e in window] == ["r_2"]
        assert len(store.list_review_events(limit=1)) == 1
        assert store.list_review_events(entity_ids=["nobody"]) == []

    def test_unknown_kind_is_refused_with_the_valid_ones(self, store):
        with pytest.raises(QueryError, match="edited"):
            store.list_review_events(kinds=["vanished"])


class CrawlEventsContract:
    def test_events_round_trip_filtered_and_newest_first(self, store):
        ok, empty, other = (sample_crawl_event(hours=1), sample_crawl_event(status="empty", hours=2),
                            sample_crawl_event("luna-site", "failed", hours=3, entity="pizzeria-luna"))
        assert store.add_crawl_events([ok, empty, other]) == 3
        assert store.add_crawl_events([ok]) == 0
        assert store.list_crawl_events() == [other, empty, ok]
        assert store.list_crawl_events(source_ids=["port-site"], statuses=["ok"]) == [ok]
        assert store.list_crawl_events(statuses=["empty", "failed"]) == [other, empty]
        assert store.list_crawl_events(entity_ids=["pizzeria-luna"]) == [other]
        assert store.list_crawl_events(since=T0 + timedelta(hours=2, minutes=30)) == [other]

    def test_unknown_status_is_refused(self, store):
        with pytest.raises(QueryError, match="degraded"):
            store.list_crawl_events(statuses=["broken"])


class CrawlRecordsContract(CrawlStateContract, ReviewEventsContract, CrawlEventsContract):
    """Every crawl bookkeeping contract at once."""
