"""User searches that page through one snapshot: Elasticsearch points in time (PIT).

Plain ``search_after`` pages read the live index, so between two pages a review indexed,
edited or deleted can shift the rest of the walk: with relevance sort, new documents change
every score, and a hit can cross the cursor and be shown twice or never. A point in time
freezes what a search sees, so pages 2..k are exactly the continuation of page 1.

Lifecycle, with the cursor (``search.cursors``) as the only state (nothing is kept server-side
by starwatch, so any process can serve the next page):

1. a first page that may need a next one (``limit > 0``, no ``offset``) opens a PIT on the
   documents alias and is read from it; the next cursor carries the PIT id and the sort key,
   which ends with the ``_shard_doc`` tie-breaker Elasticsearch adds inside a PIT;
2. each following page searches the PIT (the request names no index, as Elasticsearch requires)
   and extends it by ``keep_alive``; the newest id the cluster returns goes into the next cursor;
3. the last page closes the PIT; an abandoned walk costs the cluster a PIT until
   ``keep_alive`` runs out (``elasticsearch.point_in_time_keep_alive``, default 1 minute);
4. a PIT that expired, was closed or cannot be read (an altered id) is not an error: the page
   is read after the same key from a fresh PIT (or from the alias when PITs are off), so the walk
   goes on without repeats; only what changed during the pause is not frozen.

PITs are off when ``keep_alive`` is None, when the cluster is older than 7.10
(``es_features``), or after the cluster refused to open one (a proxy without the ``_pit``
endpoint, say): those searches page with ``search_after`` on the alias, as before. A cluster
that answers 429 (newer nodes cap open search contexts) gets the same for that one page only.
Every first page that has a next one holds a PIT for ``keep_alive`` unless the walk ends, so a
busy dashboard holds about (first pages per second x keep_alive in seconds) PITs; shorten
``keep_alive`` if that matters more than a long pause between two pages. Reads no
settings; the store passes the keep-alive.

Example::

    searcher = PointInTimeSearch(client, "starwatch-documents", ["starwatch-documents-v2"], "1m")
    page = searcher.page(query, search_body(query, parsed), decode_position("elasticsearch", query, (2, 3)))
"""

from __future__ import annotations

import logging
from typing import Any, Sequence

from search.backends.base import SearchPage, SearchQuery
from search.backends.es_documents import search_page
from search.cursors import CursorPosition
from search.queries_search import in_point_in_time

logger = logging.getLogger(__name__)

SORT_LENGTH = 2  # (score or published_at, doc_id); a key inside a PIT adds _shard_doc
# Answers to a search in a PIT that mean "this PIT is gone or was never ours": 404 for an
# expired or closed one, 400 for an id Elasticsearch cannot parse.
PIT_GONE = (400, 404)
# Answers to opening a PIT that mean "this cluster (or a proxy before it) has no PIT API".
PIT_REFUSED = (400, 403, 404, 405, 501)
# "Too many open contexts right now" (newer nodes cap open PITs): this page reads the live index.
PIT_BUSY = 429


class PointInTimeSearch:
    """One user search on the documents alias, in a point in time when that is possible.

    :param client: an ``elasticsearch.Elasticsearch`` client.
    :param alias: the documents alias a new PIT is opened on.
    :param indices: the concrete documents indices a search may read (see ``in_point_in_time``).
    :param keep_alive: how long a PIT lives after its last page (``"1m"``); None: no PITs.
    """

    def __init__(self, client: Any, alias: str, indices: Sequence[str], keep_alive: str | None):
        self.client = client
        self.alias = alias
        self.indices = list(indices)
        self.keep_alive = keep_alive
        self.refused: str | None = None  # set when the cluster would not open a PIT, and why

    def page(self, query: SearchQuery, body: dict[str, Any], position: CursorPosition | None) -> SearchPage:
        """The page of ``query`` (``body`` without ``search_after``) after ``position``.

        A first page that can have a next one opens a PIT, and so does a walk whose PIT was
        lost; a walk that never had one goes on without. The PIT is closed when the cursor
        does not carry it on (the last page).
        """
        snapshot = bool(query.limit) and not query.offset and (position is None or position.pit_id is not None)
        response, pit_id = self.run(body, position, snapshot=snapshot)
        page, kept = search_page(response, query, pit_id)
        if pit_id is not None and not kept:
            self.close(pit_id)
        return page

    def run(self, body: dict[str, Any], position: CursorPosition | None, *,
            snapshot: bool) -> tuple[dict[str, Any], str | None]:
        """The response for ``body`` after ``position``, and the PIT id to carry on (or None).

        :param snapshot: a first page (or a walk whose PIT was lost) may open a new PIT.
        """
        key = position.key if position is not None else None
        if position is not None and position.pit_id is not None and self.keep_alive:
            response = self._search_in(body, position.pit_id, key)
            if response is not None:
                return response, response.get("pit_id") or position.pit_id
            logger.info("a search cursor's point in time is gone (expired or closed); reading on from a new one")
        if key is not None:
            # Past a lost PIT, its _shard_doc value means nothing; (sort value, doc_id) is unique.
            key = key[:SORT_LENGTH]
        pit_id = self._open() if snapshot and self.keep_alive else None
        if pit_id is not None:
            response = self._search_in(body, pit_id, key)
            if response is not None:
                return response, response.get("pit_id") or pit_id
            self.close(pit_id)  # refused at once: the request itself is at fault, the alias says why
        return self._search_alias(body, key), None

    def close(self, pit_id: str) -> None:
        """Free a PIT at the end of a walk; a failure only means it lives until ``keep_alive``."""
        from elasticsearch import ApiError
        from elastic_transport import TransportError

        try:
            self.client.options(ignore_status=404).close_point_in_time(id=pit_id)
        except (ApiError, TransportError) as exc:
            logger.debug("could not close a point in time (%s); it expires by itself", exc)

    def _open(self) -> str | None:
        from elasticsearch import ApiError

        try:
            # No retry on 429: a page from the live index now beats waiting for contexts to free.
            opener = self.client.options(retry_on_status=(502, 503, 504))
            return opener.open_point_in_time(index=self.alias, keep_alive=self.keep_alive).body["id"]
        except ApiError as exc:
            if exc.meta.status == PIT_BUSY:
                logger.info("the cluster holds too many open points in time; this page reads the live index")
                return None
            if exc.meta.status not in PIT_REFUSED:
                raise
            if exc.message == "index_not_found_exception":
                return None  # the alias is missing, not the API: the search on it says how to fix that
            self.refused = f"opening a point in time answered HTTP {exc.meta.status}: {exc.message}"
            return None

    def _search_in(self, body: dict[str, Any], pit_id: str, key: list[Any] | None) -> dict[str, Any] | None:
        """The response inside PIT ``pit_id``, or None when that PIT is gone."""
        from elasticsearch import ApiError

        request = in_point_in_time(_after(body, key), pit_id, self.keep_alive or "1m", self.indices)
        try:
            # A PIT missing on some shards must not pass for a short page.
            return self.client.search(body=request, allow_partial_search_results=False).body
        except ApiError as exc:
            if exc.meta.status in PIT_GONE:
                return None
            raise

    def _search_alias(self, body: dict[str, Any], key: list[Any] | None) -> dict[str, Any]:
        return self.client.search(index=self.alias, body=_after(body, key)).body


def _after(body: dict[str, Any], key: list[Any] | None) -> dict[str, Any]:
    return body if key is None else {**body, "search_after": list(key)}
