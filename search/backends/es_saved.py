"""Saved searches in Elasticsearch: the ``<prefix>-saved_searches`` index, one document per name.

A mixin: the store supplies ``alias``, ``_ensured`` and ``_search``. The document is the
``SavedSearch`` record itself (only ``name`` and the dates are indexed), keyed by name, so saving
twice replaces. Writes use ``refresh=True``: a user who saves a search and lists them at once
must see it. Reads no settings.
"""

from __future__ import annotations

from search.saved_searches import SavedSearch, check_saved_search_name, load_saved_search

SAVED = "saved_searches"
MAX_SAVED_SEARCHES = 10_000


class ElasticsearchSavedSearchMixin:
    """Saved-search methods of ``ReviewStore`` (see ``search.saved_searches``)."""

    def save_search(self, saved: SavedSearch) -> None:
        if not isinstance(saved, SavedSearch):
            raise TypeError(f"save_search expects a SavedSearch, got {type(saved).__name__}")
        alias = self.alias(SAVED)
        with self._ensured(SAVED, f"saving a search in {alias}") as client:
            client.index(index=alias, id=saved.name, document=saved.model_dump(mode="json"), refresh=True,
                         require_alias=True)

    def get_saved_search(self, name: str) -> SavedSearch | None:
        from elasticsearch import NotFoundError

        check_saved_search_name(name)
        alias = self.alias(SAVED)
        with self._ensured(SAVED, "reading a saved search") as client:
            try:
                source = client.get(index=alias, id=name)["_source"]
            except NotFoundError:
                return None
        return load_saved_search(source, alias)

    def list_saved_searches(self) -> list[SavedSearch]:
        body = {"size": MAX_SAVED_SEARCHES, "sort": [{"name": {"order": "asc"}}], "query": {"match_all": {}}}
        response = self._search(SAVED, body, "listing saved searches")
        return [load_saved_search(hit["_source"], self.alias(SAVED)) for hit in response["hits"]["hits"]]

    def delete_saved_search(self, name: str) -> bool:
        from elasticsearch import NotFoundError

        check_saved_search_name(name)
        with self._ensured(SAVED, "deleting a saved search") as client:
            try:
                client.delete(index=self.alias(SAVED), id=name, refresh=True)
            except NotFoundError:
                return False
        return True

