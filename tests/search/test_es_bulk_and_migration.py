"""Elasticsearch at scale, on the real node: bulk writes under rejection, and index migration
while writers keep writing. A fault proxy (``es_fault_proxy``) plays the overloaded node."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from search.backends.base import SearchQuery, StoreError
from search.backends.elasticsearch import ElasticsearchReviewStore
from search.backends.es_bulk import BulkWriter
from search.documents import Review, make_review_id
from search.figures import FiguresRequest
from search.index_admin import elasticsearch_status, migrate
from tests.search.es_fault_proxy import FaultProxy

pytestmark = pytest.mark.integration
UTC = timezone.utc
WORDS = ["accueil", "chaleureux", "service", "lent", "café", "croissant", "friendly", "staff", "slow", "terrace"]


def invented_reviews(start: int, count: int, entity: str = "atelier-nord") -> list[Review]:
    """Short invented reviews with distinct ids; every tenth carries an authenticity weight."""
    base = datetime(2024, 5, 1, tzinfo=UTC)
    return [Review(review_id=make_review_id("test-site", f"r{n}"), source="test-site", platform="schema_org",
                   external_id=f"r{n}", entity_id=entity, rating=1 + n % 5, language="fr" if n % 2 else "en",
                   published_at=base + timedelta(hours=n % 700), title=f"Avis {n}",
                   text=" ".join(WORDS[(n + k) % len(WORDS)] for k in range(6)),
                   authenticity_weight=0.5 if n % 10 == 0 else None)
            for n in range(start, start + count)]


def node_count(es_url: str, index: str) -> int:
    from elasticsearch import Elasticsearch

    client = Elasticsearch(es_url)
    try:
        client.indices.refresh(index=index)
        return client.count(index=index)["count"]
    finally:
        client.close()


def test_rejected_documents_are_retried_until_written(es_url, es_index_prefix):
    with FaultProxy(es_url, reject_every=3, reject_rounds=2) as proxy:
        store = ElasticsearchReviewStore(proxy.url, index_prefix=es_index_prefix)
        summary = store.upsert_reviews(invented_reviews(0, 120))
        store.close()
    assert len(proxy.rejected) > 40  # the proxy did refuse documents, twice
    assert summary.created == 120
    assert node_count(es_url, f"{es_index_prefix}-documents") == 120


def test_documents_still_rejected_after_the_last_retry_are_reported_by_id(es_url, es_index_prefix):
    from elasticsearch import Elasticsearch

    ElasticsearchReviewStore(es_url, index_prefix=es_index_prefix).upsert_reviews(invented_reviews(0, 1))

    even = lambda doc_id: int(doc_id.split("-")[1]) % 2 == 0  # noqa: E731
    with FaultProxy(es_url, reject_rounds=100, reject_ids=even) as proxy:
        client = Elasticsearch(proxy.url)
        actions = [{"_op_type": "index", "_index": f"{es_index_prefix}-documents", "_id": f"doc-{n}",
                    "_source": {"kind": "review", "entity_id": "x"}} for n in range(10)]  # alias: one index
        outcome = BulkWriter(client, max_retries=2, initial_backoff=0.01).write(actions)
        client.close()
    assert outcome.created == 5
    assert sorted(f["_id"] for f in outcome.failures) == [f"doc-{n}" for n in range(0, 10, 2)]
    assert {f["status"] for f in outcome.failures} == {429}


def test_parallel_chunks_write_everything_once(es_url, es_index_prefix):
    store = ElasticsearchReviewStore(es_url, index_prefix=es_index_prefix, bulk_concurrency=3)
    reviews = invented_reviews(0, 2300)
    assert store.upsert_reviews(reviews + reviews[:10]).written == 2310
    assert store.upsert_reviews(reviews[:700]).updated == 700
    store.refresh()
    assert store.count() == 2300
    store.close()


def test_migration_loses_no_document_while_writers_keep_writing(es_url, es_index_prefix):
    old = ElasticsearchReviewStore(es_url, index_prefix=es_index_prefix, mapping_versions={"documents": "v1"})
    old.upsert_reviews(invented_reviews(0, 3000))
    written: list[str] = []
    stop = threading.Event()

    def keep_writing():  # another worker, with retries as a Celery task would have
        writer = ElasticsearchReviewStore(es_url, index_prefix=es_index_prefix)
        n = 100_000
        while not stop.is_set():
            batch = invented_reviews(n, 25)
            try:
                writer.upsert_reviews(batch)
            except StoreError:
                time.sleep(0.05)
                continue
            written.extend(r.review_id for r in batch)
            n += 25
        writer.close()

    thread = threading.Thread(target=keep_writing)
    thread.start()
    store = ElasticsearchReviewStore(es_url, index_prefix=es_index_prefix)
    try:
        assert elasticsearch_status(store).indices[0].pending
        results = {r.name: r for r in migrate(store, ["documents"], batch_size=300)}
        time.sleep(0.3)  # writes continue on the new index
    finally:
        stop.set()
        thread.join()
    result = results["documents"]
    assert (result.status, result.source, result.target) == (
        "migrated", f"{es_index_prefix}-documents-v1", f"{es_index_prefix}-documents-v2")
    assert result.copied >= 3000 and written
    store.refresh()
    assert store.count() == 3000 + len(written)
    ids = [r.review_id for r in invented_reviews(0, 3000)] + written
    assert all(store.get_review(review_id) is not None for review_id in ids[::97] + written[-5:])
    state = elasticsearch_status(store).indices[0]
    assert (state.version, state.pending, state.others) == ("v2", False, [f"{es_index_prefix}-documents-v1"])
    figures = store.entity_figures(FiguresRequest(["atelier-nord"], datetime(2024, 5, 1, tzinfo=UTC),
                                                  datetime(2024, 6, 1, tzinfo=UTC)))
    assert figures["atelier-nord"].window.adjusted_average is not None  # v2 fields were rebuilt
    assert store.search(SearchQuery(text="croissant", limit=1)).total > 0
    assert migrate(store, ["documents"])[0].status == "up-to-date"
    store.close()


def test_failed_migration_leaves_the_alias_and_the_writes_alone(es_url, es_index_prefix):
    from elasticsearch import Elasticsearch

    old = ElasticsearchReviewStore(es_url, index_prefix=es_index_prefix, mapping_versions={"documents": "v1"})
    old.upsert_reviews(invented_reviews(0, 50))
    client = Elasticsearch(es_url)
    # A document v1 accepted (unmapped field) but v2 refuses (that field is a number in v2).
    client.index(index=f"{es_index_prefix}-documents", id="odd", document={"weighted_rating": "beaucoup"}, refresh=True)
    store = ElasticsearchReviewStore(es_url, index_prefix=es_index_prefix)
    with pytest.raises(StoreError, match="odd"):
        migrate(store, ["documents"])
    aliases = client.indices.get_alias(name=f"{es_index_prefix}-documents").body
    assert list(aliases) == [f"{es_index_prefix}-documents-v1"]
    assert not client.indices.exists(index=f"{es_index_prefix}-documents-v2")
    assert store.upsert_reviews(invented_reviews(50, 5)).created == 5  # no write block left behind
    client.close()
    store.close()


def test_migrate_refuses_unknown_names(es_url, es_index_prefix):
    with pytest.raises(StoreError, match="unknown index"):
        migrate(ElasticsearchReviewStore(es_url, index_prefix=es_index_prefix), ["reviews"])


def test_missing_modules_are_detected_and_explained(es_url, es_index_prefix):
    store = ElasticsearchReviewStore(es_url, index_prefix=es_index_prefix)
    status = elasticsearch_status(store)
    # The test node is Elastic's minimal distribution: no analysis-common, painless or reindex;
    # point in time is a core API of 8.19.
    assert status.features == {"language_analyzers": False, "painless": False, "reindex": False,
                               "point_in_time": True}
    assert any(note.startswith("language_analyzers: no French/English stemming") for note in status.notes)
    definition = store.definition("documents")
    assert "fields" not in definition["mappings"]["properties"]["search_text"]  # the richer mapping is not sent
    store.close()
