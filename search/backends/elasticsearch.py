"""``ElasticsearchReviewStore``: the store for a cluster, through the official client.

Indices come from the versioned files in ``search/mappings`` (the richer variant where the
cluster has the modules, see ``es_features``) and are always reached through aliases
(``<prefix>-documents``, ``<prefix>-snapshots``...), so ``search.index_admin`` can roll a new
version in behind them. Request bodies are built by the pure functions in ``search.queries*``;
responses are read by ``es_documents``. Bulk writes go through ``es_bulk.BulkWriter`` (parallel
chunks, backpressure, 429 retries, every failed document reported by id). Searches page deeply
with ``search_after`` cursors inside a point in time, so pages stay consistent while documents
are indexed (``es_point_in_time``); comparisons and saved searches live in mixins
(``es_figures``, ``es_saved``).

Reads no settings itself; ``search.factory.get_store`` passes the ``elasticsearch`` section
(url, index_prefix, request_timeout_seconds, point_in_time_keep_alive, and
username/password/api_key from the environment). The client is created on first use, never in
``__init__``, so building a store does no I/O; each index is created on first use too, or all
at once by ``ensure_ready``. Writes are visible to searches after ``refresh()`` (or the index's
1 s refresh interval), except incidents, which are written with ``refresh=True`` because the
alert loop reads them back at once.

Example::

    store = ElasticsearchReviewStore("http://127.0.0.1:9200", index_prefix="starwatch")
    store.ensure_ready()
    store.upsert_reviews(reviews)
    store.refresh()
    store.rating_stats(["cafe-du-port", "pizzeria-luna"], since=None, until=None)
"""

from __future__ import annotations

import logging
import os
import threading
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Callable, Iterator, Literal, Sequence

from search import queries
from search.backends import es_documents
from search.backends.base import QueryError, RatingStats, SearchPage, SearchQuery, StoreError, WriteSummary
from search.backends.es_alerts import ElasticsearchAlertMixin
from search.backends.es_authenticity import ElasticsearchAuthenticityMixin
from search.backends.es_crawl import ElasticsearchCrawlMixin
from search.backends.es_bulk import BulkWriter
from search.backends.es_errors import describe_failures, safe_url, translate_errors
from search.backends.es_features import ClusterFeatures, detect_features
from search.backends.es_figures import ElasticsearchFiguresMixin
from search.backends.es_indices import ElasticsearchIndicesMixin
from search.backends.es_point_in_time import SORT_LENGTH, PointInTimeSearch
from search.backends.es_saved import ElasticsearchSavedSearchMixin
from search.backends.records import document_from_fields
from search.documents import DocumentKind, Incident, Mention, RatingSnapshot, Review
from search.mappings import MAPPING_NAMES, index_definition, known_versions, latest_version
from search.cursors import decode_position
from search.queries_search import search_body
from search.query_text import parse_query_text

MAX_INCIDENTS = 10_000
logger = logging.getLogger(__name__)


class ElasticsearchReviewStore(
    ElasticsearchIndicesMixin, ElasticsearchAlertMixin, ElasticsearchCrawlMixin, ElasticsearchFiguresMixin, ElasticsearchSavedSearchMixin,
    ElasticsearchAuthenticityMixin,
):
    """Reviews, mentions, snapshots and incidents in three aliased Elasticsearch indices.

    :param url: the cluster, e.g. ``http://127.0.0.1:9200``.
    :param index_prefix: first part of every index, alias and template name.
    :param username: with ``password``, HTTP basic authentication.
    :param api_key: an Elasticsearch API key (instead of username/password).
    :param request_timeout: seconds before a request is abandoned.
    :param point_in_time_keep_alive: how long a search's point in time outlives its last page
        read (an Elasticsearch duration, ``"1m"``); None pages on the live index instead.
    """

    def __init__(
        self,
        url: str,
        index_prefix: str = "starwatch",
        username: str | None = None,
        password: str | None = None,
        api_key: str | None = None,
        request_timeout: float = 10,
        mapping_versions: dict[str, str] | None = None,
        bulk_concurrency: int = 2,
        point_in_time_keep_alive: str | None = "1m",
    ):
        self.url = url
        self.index_prefix = index_prefix
        self._username, self._password, self._api_key = username, password, api_key
        self._request_timeout = request_timeout
        self._client = None
        self._client_pid: int | None = None
        self._ready: set[str] = set()
        self._lock = threading.Lock()
        # Index versions to create (default: the latest of each); pinning an older one serves
        # tests of `starwatch index migrate` and a deliberate rollback.
        self.mapping_versions = dict(mapping_versions or {})
        self.bulk_concurrency = bulk_concurrency
        self._features: ClusterFeatures | None = None
        self.point_in_time_keep_alive = point_in_time_keep_alive
        self._pit_refused: str | None = None  # why the cluster would not open a point in time

    def __repr__(self) -> str:
        return f"ElasticsearchReviewStore(index_prefix={self.index_prefix!r})"

    # -- names and client -----------------------------------------------------------------------

    def alias(self, name: str) -> str:
        return f"{self.index_prefix}-{name}"

    def index_name(self, name: str, version: str | None = None) -> str:
        """The concrete index of ``name`` at ``version`` (default: the version this store creates)."""
        return f"{self.index_prefix}-{name}-{version or self.version_of(name)}"

    def version_of(self, name: str) -> str:
        return self.mapping_versions.get(name) or latest_version(name)

    def features(self) -> ClusterFeatures:
        """What the cluster can do (``GET _nodes/plugins``), asked once per store."""
        if self._features is None:
            with self._calling("reading the cluster's modules") as client:
                self._features = detect_features(client)
        return self._features

    def definition(self, name: str, version: str | None = None) -> dict[str, Any]:
        """The index definition for this cluster: the mapping file plus what the cluster supports."""
        return index_definition(name, version or self.version_of(name),
                                language_analyzers=self.features().language_analyzers)

    def _es(self):
        """The client for this process, created on first use (a forked worker gets its own)."""
        with self._lock:
            if self._client is None or self._client_pid != os.getpid():
                from elasticsearch import Elasticsearch

                try:
                    self._client = Elasticsearch(
                        self.url,
                        basic_auth=(self._username, self._password or "") if self._username else None,
                        api_key=self._api_key,
                        request_timeout=self._request_timeout,
                        max_retries=2,
                        retry_on_timeout=True,
                    )
                except ValueError as exc:
                    raise StoreError(
                        f"Elasticsearch URL {safe_url(self.url)!r} is not valid ({exc}); set elasticsearch.url "
                        "(STARWATCH_ELASTICSEARCH__URL) to e.g. http://127.0.0.1:9200"
                    ) from None
                self._client_pid = os.getpid()
            return self._client

    @contextmanager
    def _calling(self, action: str) -> Iterator[Any]:
        with translate_errors(self.url, action):
            yield self._es()

    def _ensured(self, name: str, action: str):
        """Client context for an operation on ``name``, creating its index on first use."""
        if name not in self._ready:
            self._create(name)
        return self._calling(action)

    # -- lifecycle ------------------------------------------------------------------------------

    def refresh(self) -> None:
        aliases = ",".join(self.alias(name) for name in MAPPING_NAMES)
        with self._calling("refreshing indices") as client:
            client.indices.refresh(index=aliases, ignore_unavailable=True, allow_no_indices=True)

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    # -- writes ---------------------------------------------------------------------------------

    def upsert_reviews(self, reviews: Sequence[Review]) -> WriteSummary:
        return self._bulk_upsert("documents", reviews, Review, es_documents.document_json)

    def upsert_mentions(self, mentions: Sequence[Mention]) -> WriteSummary:
        return self._bulk_upsert("documents", mentions, Mention, es_documents.document_json)

    def add_snapshots(self, snapshots: Sequence[RatingSnapshot]) -> int:
        """Upsert snapshots by id; returns how many were new."""
        return self._bulk_upsert(
            "snapshots", snapshots, RatingSnapshot, lambda s: s.model_dump(mode="json"), id_of=lambda s: s.snapshot_id
        ).created

    def _bulk_upsert(
        self,
        name: str,
        records: Sequence[Any],
        model: type,
        to_source: Callable[[Any], dict[str, Any] | bytes],
        id_of: Callable[[Any], str] = lambda record: record.doc_id,
    ) -> WriteSummary:
        """Index every record by id in bulk; per-item failures are collected and raised together.

        A record repeated within one call is sent once, in its last version (sending both in
        parallel chunks could let the older one win); the earlier copies count as updates, as
        they would have been written one after the other.
        """
        for record in records:
            if not isinstance(record, model):
                raise TypeError(f"expected {model.__name__} records, got {type(record).__name__}")
        latest = {id_of(record): record for record in records}
        if not latest:
            return WriteSummary()
        alias = self.alias(name)
        actions = ({"_op_type": "index", "_index": alias, "_id": record_id, "_source": to_source(record)}
                   for record_id, record in latest.items())
        with self._ensured(name, f"writing to {alias}") as client:
            outcome = BulkWriter(client, concurrency=self.bulk_concurrency).write(actions, require_alias=True)
        repeats = len(records) - len(latest)
        if outcome.failures:
            raise StoreError(describe_failures(alias, outcome.failures, written=outcome.created + outcome.updated))
        return WriteSummary(created=outcome.created, updated=outcome.updated + repeats)

    def save_incident(self, incident: Incident) -> None:
        alias = self.alias("incidents")
        with self._ensured("incidents", f"saving an incident in {alias}") as client:
            client.index(
                index=alias, id=incident.incident_id, document=incident.model_dump(mode="json"),
                refresh=True, require_alias=True,
            )

    # -- reads ----------------------------------------------------------------------------------

    def _search(self, name: str, body: dict[str, Any], action: str) -> dict[str, Any]:
        with self._ensured(name, action) as client:
            return client.search(index=self.alias(name), body=body).body

    def get_review(self, review_id: str) -> Review | None:
        from elasticsearch import NotFoundError

        with self._ensured("documents", "reading a review") as client:
            try:
                source = client.get(index=self.alias("documents"), id=review_id)["_source"]
            except NotFoundError:
                return None
        if source.get("kind") != "review":
            return None
        return document_from_fields(source)

    def count(self, kind: DocumentKind = "review", entity_id: str | None = None) -> int:
        with self._ensured("documents", "counting documents") as client:
            return client.count(index=self.alias("documents"), body=queries.count_body(kind, entity_id))["count"]

    def search(self, query: SearchQuery) -> SearchPage:
        queries.check_search_query(query)
        parsed = parse_query_text(query.text)
        position = decode_position(es_documents.BACKEND, query, (SORT_LENGTH, SORT_LENGTH + 1))
        features = self.features()
        body = search_body(query, parsed, language_fields=features.language_analyzers)
        indices = [self.index_name("documents", version) for version in known_versions("documents")]
        keep_alive = self.point_in_time_keep_alive if features.point_in_time and not self._pit_refused else None
        with self._ensured("documents", "searching") as client:
            searcher = PointInTimeSearch(client, self.alias("documents"), indices, keep_alive)
            page = searcher.page(query, body, position)
        if searcher.refused and self._pit_refused is None:
            self._pit_refused = searcher.refused
            logger.warning("Elasticsearch at %s refused a point in time (%s); deep search pages read the live "
                           "index from now on", safe_url(self.url), searcher.refused)
        return page

    def rating_stats(
        self, entity_ids: Sequence[str], since: datetime | None, until: datetime | None
    ) -> dict[str, RatingStats]:
        entity_ids = list(dict.fromkeys(entity_ids))
        if not entity_ids:
            return {}
        body = queries.rating_stats_body(entity_ids, since, until)
        return es_documents.rating_stats_from(self._search("documents", body, "computing rating statistics"), entity_ids)

    def lowest_rated(
        self, entity_id: str, since: datetime | None, until: datetime | None, limit: int = 5
    ) -> list[Review]:
        body = queries.lowest_rated_body(entity_id, since, until, max(0, limit))
        response = self._search("documents", body, "finding the lowest-rated reviews")
        return [document_from_fields(hit["_source"]) for hit in response["hits"]["hits"]]

    def latest_snapshots(self, entity_ids: Sequence[str]) -> dict[str, list[RatingSnapshot]]:
        entity_ids = list(dict.fromkeys(entity_ids))
        if not entity_ids:
            return {}
        response = self._search("snapshots", queries.latest_snapshots_body(entity_ids), "reading rating snapshots")
        return es_documents.latest_snapshots_from(response, entity_ids)

    def get_open_incident(self, rule_id: str, entity_id: str) -> Incident | None:
        response = self._search("incidents", queries.open_incident_body(rule_id, entity_id), "reading incidents")
        hits = response["hits"]["hits"]
        return Incident.model_validate(hits[0]["_source"]) if hits else None

    def list_incidents(self, status: Literal["open", "resolved"] | None = None) -> list[Incident]:
        """Incidents, newest opened first (at most 10 000), optionally only one status."""
        if status not in (None, "open", "resolved"):
            raise QueryError(f"status must be 'open', 'resolved' or None (got {status!r})")
        response = self._search("incidents", queries.list_incidents_body(status, MAX_INCIDENTS), "reading incidents")
        return [Incident.model_validate(hit["_source"]) for hit in response["hits"]["hits"]]
