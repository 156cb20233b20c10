"""Saved searches in SQLite: the ``saved_searches`` table, one row per name with the record as JSON.

A mixin: the store supplies ``_reading`` and ``_writing``. Saving twice under one name replaces
the first. Reads no settings.
"""

from __future__ import annotations

from search.saved_searches import SavedSearch, check_saved_search_name, load_saved_search


class SQLiteSavedSearchMixin:
    """Saved-search methods of ``ReviewStore`` (see ``search.saved_searches``)."""

    def save_search(self, saved: SavedSearch) -> None:
        if not isinstance(saved, SavedSearch):
            raise TypeError(f"save_search expects a SavedSearch, got {type(saved).__name__}")
        with self._writing("saving a search") as connection:
            connection.execute("INSERT OR REPLACE INTO saved_searches (name, record) VALUES (?, ?)",
                               (saved.name, saved.model_dump_json()))

    def get_saved_search(self, name: str) -> SavedSearch | None:
        check_saved_search_name(name)
        with self._reading("reading a saved search") as connection:
            row = connection.execute("SELECT record FROM saved_searches WHERE name = ?", (name,)).fetchone()
        return None if row is None else load_saved_search(row[0], f"{self.path} (saved_searches)")

    def list_saved_searches(self) -> list[SavedSearch]:
        with self._reading("listing saved searches") as connection:
            rows = connection.execute("SELECT record FROM saved_searches ORDER BY name").fetchall()
        return [load_saved_search(row[0], f"{self.path} (saved_searches)") for row in rows]

    def delete_saved_search(self, name: str) -> bool:
        check_saved_search_name(name)
        with self._writing("deleting a saved search") as connection:
            return connection.execute("DELETE FROM saved_searches WHERE name = ?", (name,)).rowcount > 0
