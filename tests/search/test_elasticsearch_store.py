"""The store contract against a real Elasticsearch node, plus connection and mapping behaviour."""

from __future__ import annotations

import uuid
from contextlib import contextmanager

import pytest

from search.backends.base import StoreError, StoreUnavailable
from search.backends.elasticsearch import ElasticsearchReviewStore
from search.mappings import MAPPING_NAMES, latest_version
from search.testing import StoreContract
from search.testing_corpus import sample_reviews
from tests.service_support import drop_index_prefix, free_port

pytestmark = pytest.mark.integration


@contextmanager
def class_index_prefix(es_url: str):
    """Like the ``es_index_prefix`` fixture, for a store shared by one test class."""
    prefix = "t-" + uuid.uuid4().hex[:10]
    try:
        yield prefix
    finally:
        drop_index_prefix(es_url, prefix)


class TestElasticsearchStore(StoreContract):
    @pytest.fixture
    def store(self, es_url, es_index_prefix):
        # No ensure_ready(): each index is created on first use, which keeps this suite fast and
        # proves the lazy path; test_indices_sit_behind_aliases covers ensure_ready itself.
        store = ElasticsearchReviewStore(es_url, index_prefix=es_index_prefix)
        yield store
        store.close()

    @pytest.fixture(scope="class")
    @classmethod
    def class_store(cls, es_url):
        with class_index_prefix(es_url) as prefix:
            store = ElasticsearchReviewStore(es_url, index_prefix=prefix)
            yield store
            store.close()


def test_unreachable_node_names_the_url():
    url = f"http://127.0.0.1:{free_port()}"
    store = ElasticsearchReviewStore(url, index_prefix="never-created")
    with pytest.raises(StoreUnavailable, match=f"Elasticsearch at {url} is unreachable.*scripts/services start"):
        store.count()


def test_credentials_in_the_url_are_not_repeated():
    url = f"http://admin:s3cret@127.0.0.1:{free_port()}"
    with pytest.raises(StoreUnavailable) as raised:
        ElasticsearchReviewStore(url).ensure_ready()
    assert "s3cret" not in str(raised.value)


def test_indices_sit_behind_aliases(es_url, es_index_prefix):
    from elasticsearch import Elasticsearch

    store = ElasticsearchReviewStore(es_url, index_prefix=es_index_prefix)
    store.ensure_ready()
    store.ensure_ready()
    client = Elasticsearch(es_url)
    try:
        for name in MAPPING_NAMES:
            aliases = client.indices.get_alias(name=f"{es_index_prefix}-{name}").body
            assert list(aliases) == [f"{es_index_prefix}-{name}-{latest_version(name)}"]
    finally:
        client.close()
        store.close()


def test_first_write_creates_only_the_index_it_needs(es_url, es_index_prefix):
    from elasticsearch import Elasticsearch

    store = ElasticsearchReviewStore(es_url, index_prefix=es_index_prefix)
    assert store.upsert_reviews([sample_reviews()["parfait"]]).created == 1
    client = Elasticsearch(es_url)
    try:
        assert client.indices.exists_alias(name=f"{es_index_prefix}-documents")
        assert not client.indices.exists_alias(name=f"{es_index_prefix}-incidents")
    finally:
        client.close()
        store.close()


def test_rejected_documents_are_reported_not_dropped(es_url, es_index_prefix):
    from elasticsearch import Elasticsearch

    store = ElasticsearchReviewStore(es_url, index_prefix=es_index_prefix)
    store.ensure_ready()
    client = Elasticsearch(es_url)
    try:  # a read-only index refuses every write: each record must be reported by id
        client.indices.put_settings(index=f"{es_index_prefix}-documents", settings={"index.blocks.write": True})
        reviews = list(sample_reviews().values())[:2]
        with pytest.raises(StoreError, match=reviews[0].review_id) as raised:
            store.upsert_reviews(reviews)
        assert reviews[1].review_id in str(raised.value)
    finally:
        client.indices.put_settings(index=f"{es_index_prefix}-documents", settings={"index.blocks.write": False})
        client.close()
        store.close()
