"""Deep search pages on Elasticsearch read one point in time: proven on the real node.

Each test indexes its own invented reviews under a per-test prefix, reads a first page, changes
the index (new reviews before and inside the pages still to come, a deletion, an edit that moves
a review) and walks on by cursor: the walk must be the snapshot the first page saw, no more, no
less, in order. The same walk without a point in time is shown to differ, so the check can fail.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from search.backends.base import SearchQuery
from search.backends.elasticsearch import ElasticsearchReviewStore
from search.cursors import decode_position, encode_cursor
from search.documents import Review, make_review_id
from tests.search.es_fault_proxy import FaultProxy

pytestmark = pytest.mark.integration

START = datetime(2024, 6, 1, tzinfo=timezone.utc)
WORDS = ["accueil", "terrasse", "prix", "attente", "dessert", "musique"]


def review(number: int, published: datetime, extra: str = "") -> Review:
    """Every review says "service", some more than once, so relevance scores differ."""
    name = f"r{number:03d}"
    text = f"Service {' service' * (number % 4)} {WORDS[number % len(WORDS)]} {extra}".strip()
    return Review(review_id=make_review_id("pit-site", name), source="pit-site", platform="schema_org",
                  external_id=name, entity_id="cafe-pit", rating=1 + number % 5, text=text, language="fr",
                  published_at=published)


def hourly(first: int, count: int) -> list[Review]:
    """Reviews ``first..first+count-1``, one hour apart going back from START."""
    return [review(number, START - timedelta(hours=number)) for number in range(first, first + count)]


def ids(page) -> list[str]:
    return [hit.document.doc_id for hit in page.hits]


def walk_on(store, query: SearchQuery, page) -> list[str]:
    """The ids of ``page`` and of every page after it."""
    seen = ids(page)
    while page.next_cursor is not None:
        assert len(seen) < 1000, "a cursor walk must end"
        page = store.search(SearchQuery(**{**query.__dict__, "cursor": page.next_cursor}))
        seen.extend(ids(page))
    return seen


def pit_of(query: SearchQuery, cursor: str) -> str | None:
    return decode_position("elasticsearch", SearchQuery(**{**query.__dict__, "cursor": cursor}), (2, 3)).pit_id


def open_contexts(store) -> int:
    """Search contexts (points in time) open on this test's documents index, from the node itself."""
    client = store._es()
    stats = client.indices.stats(index=store.alias("documents"), metric="search").body
    return stats["_all"]["total"]["search"]["open_contexts"]


def change_the_index(store, snapshot: list[str]) -> None:
    """New reviews newest of all and in the middle of the later pages, one deletion, one moved."""
    arrivals = [review(900 + n, START + timedelta(minutes=n + 1), "nouveau") for n in range(3)]
    arrivals += [review(950 + n, START - timedelta(hours=15, minutes=30 + n), "nouveau") for n in range(3)]
    store.upsert_reviews(arrivals)
    client = store._es()
    client.delete(index=store.alias("documents"), id=snapshot[17])
    moved = next(r for r in hourly(0, 30) if r.doc_id == snapshot[22])
    store.upsert_reviews([moved.model_copy(update={"published_at": START + timedelta(days=1),
                                                   "text": moved.text + " service service"})])
    store.refresh()


@pytest.fixture
def stores(es_url, es_index_prefix):
    """A store with points in time (the default) and one without, on the same indices."""
    with_pit = ElasticsearchReviewStore(es_url, index_prefix=es_index_prefix)
    live = ElasticsearchReviewStore(es_url, index_prefix=es_index_prefix, point_in_time_keep_alive=None)
    with_pit.upsert_reviews(hourly(0, 30))
    with_pit.refresh()
    yield with_pit, live
    with_pit.close()
    live.close()


@pytest.mark.parametrize("query", [
    SearchQuery(entity_ids=["cafe-pit"], sort="date", limit=5),
    SearchQuery(text="service", limit=4),
], ids=["by-date", "by-relevance"])
def test_later_pages_continue_the_first_page_snapshot_while_the_index_changes(stores, query):
    with_pit, live = stores
    snapshot = ids(with_pit.search(SearchQuery(**{**query.__dict__, "limit": 100})))
    assert len(snapshot) == 30
    first, first_live = with_pit.search(query), live.search(query)
    assert ids(first) == ids(first_live) == snapshot[: query.limit]
    assert pit_of(query, first.next_cursor) is not None and pit_of(query, first_live.next_cursor) is None

    change_the_index(with_pit, snapshot)

    walked = walk_on(with_pit, query, first)
    assert walked == snapshot  # no repeat, no gap, nothing that arrived after page 1
    walked_live = walk_on(live, query, first_live)
    assert walked_live != snapshot  # the live index shows the changes: the check above can fail
    assert snapshot[17] not in walked_live


def test_each_page_carries_the_point_in_time_and_the_last_page_closes_it(stores):
    with_pit, _live = stores
    query = SearchQuery(sort="date", limit=12)
    page = with_pit.search(query)
    pit = pit_of(query, page.next_cursor)
    assert open_contexts(with_pit) == 1
    key = decode_position("elasticsearch", SearchQuery(**{**query.__dict__, "cursor": page.next_cursor}), (2, 3)).key
    assert len(key) == 3  # (published_at, doc_id, the _shard_doc tie-breaker Elasticsearch adds)
    page = with_pit.search(SearchQuery(**{**query.__dict__, "cursor": page.next_cursor}))
    assert pit_of(query, page.next_cursor) == pit
    page = with_pit.search(SearchQuery(**{**query.__dict__, "cursor": page.next_cursor}))
    assert page.next_cursor is None and len(page.hits) == 6
    assert open_contexts(with_pit) == 0  # closed by the last page
    from elasticsearch import NotFoundError

    with pytest.raises(NotFoundError):
        with_pit._es().search(pit={"id": pit, "keep_alive": "1m"}, size=1)


def test_a_search_with_one_page_leaves_no_point_in_time_open(stores):
    with_pit, _live = stores
    assert with_pit.search(SearchQuery(sort="date", limit=50)).next_cursor is None
    assert with_pit.search(SearchQuery(sort="date", limit=0, facets=["stars"])).total == 30
    assert open_contexts(with_pit) == 0


@pytest.mark.parametrize("lost", ["closed", "unreadable"])
def test_a_lost_point_in_time_reads_on_after_the_cursor_without_error(stores, lost):
    with_pit, _live = stores
    query = SearchQuery(sort="date", limit=5)
    everything = ids(with_pit.search(SearchQuery(sort="date", limit=100)))
    first = with_pit.search(query)
    cursor = first.next_cursor
    position = decode_position("elasticsearch", SearchQuery(**{**query.__dict__, "cursor": cursor}), (2, 3))
    if lost == "closed":  # what expiry does, without waiting for keep_alive
        with_pit._es().close_point_in_time(id=position.pit_id)
    else:  # well-formed for a cursor, meaningless to Elasticsearch
        cursor = encode_cursor("elasticsearch", query, position.key, "QUJD" + position.pit_id[4:-8] + "QUJDREVG")

    second = with_pit.search(SearchQuery(**{**query.__dict__, "cursor": cursor}))
    assert ids(second) == everything[5:10]
    fresh = pit_of(query, second.next_cursor)
    assert fresh is not None and fresh != position.pit_id  # the rest of the walk has a snapshot again
    assert ids(first) + walk_on(with_pit, query, second) == everything
    # The walk closed the point in time it opened; page 1's, when only the cursor was altered,
    # is left to expire after keep_alive.
    assert open_contexts(with_pit) == (0 if lost == "closed" else 1)


def test_a_point_in_time_on_another_index_reads_nothing_from_it(stores, es_index_prefix):
    with_pit, _live = stores
    client = with_pit._es()
    secret = f"{es_index_prefix}-secret"
    client.indices.create(index=secret, mappings={"properties": {
        "doc_id": {"type": "keyword"}, "entity_id": {"type": "keyword"}, "kind": {"type": "keyword"},
        "published_at": {"type": "date"}, "text": {"type": "text"}}})
    client.index(index=secret, id="s1", document={"doc_id": "s1", "entity_id": "secret", "kind": "review",
                                                   "published_at": "2030-01-01T00:00:00Z", "text": "service"},
                 refresh=True)
    foreign = client.open_point_in_time(index=secret, keep_alive="1m")["id"]
    query = SearchQuery(sort="date", limit=5, facets=["entity_id"])
    forged = encode_cursor("elasticsearch", query, ["2031-01-01T00:00:00Z", "", 0], foreign)

    page = with_pit.search(SearchQuery(**{**query.__dict__, "cursor": forged}))
    assert page.hits == [] and page.total == 0 and page.facets == {"entity_id": {}}


@pytest.mark.parametrize(("status", "asked"), [(405, 1), (429, 3)], ids=["no-pit-api", "too-many-contexts"])
def test_a_cluster_that_refuses_points_in_time_pages_the_live_index(stores, status, asked):
    with_pit, _live = stores
    with RefusePointInTime(with_pit.url, status) as proxy:
        store = ElasticsearchReviewStore(proxy.url, index_prefix=with_pit.index_prefix)
        query = SearchQuery(sort="date", limit=10)
        first = store.search(query)
        assert pit_of(query, first.next_cursor) is None and proxy.refused == 1
        assert walk_on(store, query, first) == ids(store.search(SearchQuery(sort="date", limit=100)))
        store.search(query)
        # 405: asked once, the store remembers; 429: only that page went without, each of the
        # three first pages asked again (once each: a full node is not retried).
        assert proxy.refused == asked
        store.close()


class RefusePointInTime(FaultProxy):
    """The real node behind a proxy that refuses ``_pit`` with ``status``: 405 as a cluster
    without the API, 429 as a node holding too many open search contexts."""

    def __init__(self, es_url: str, status: int):
        super().__init__(es_url, reject_rounds=0)
        self.status = status
        self.refused = 0

    def send(self, method, path, body, headers):
        if path.split("?")[0].endswith("/_pit"):
            self.refused += 1
            error = {"error": {"type": "refused_by_test_proxy", "reason": "no point in time"}, "status": self.status}
            return self.status, {"Content-Type": "application/json", "X-Elastic-Product": "Elasticsearch"}, \
                json.dumps(error).encode()
        return super().send(method, path, body, headers)
