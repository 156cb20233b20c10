"""Saved searches: name a search, list them, run one again, delete one.

A saved search is kept in the store (so every front end and every worker sees the same ones)
and keeps the user's terms: groups stay groups and "the last 7 days" stays a moving window, so
running it next month uses next month's members and dates. ``saved_search_query`` is the
bridge to alerting: it returns the ``SearchQuery`` a saved search means now, which a rule can
count or compare between windows.

Reads ``entities`` and ``groups`` (filters are checked when saving and resolved when running)
and the store settings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

from pydantic import ValidationError

from config import Settings
from search.backends.base import SearchPage, SearchQuery
from search.documents import utcnow
from search.saved_searches import SavedSearch, check_saved_search_name
from starwatch.capabilities.mentions import SearchInputError, run_spec, search_spec, spec_query
from starwatch.capabilities.stores import open_store


def save_search(settings: Settings, name: str, text: str = "", *, description: str = "", **filters) -> SavedSearch:
    """Save (or replace) the search ``name``; ``filters`` are those of ``search_mentions``.

    Example::

        save_search(settings, "attente", '"temps d\\'attente" OR waited', group_ids=["cafes-lyon"],
                    within_days=7, sort="date")
    """
    spec = search_spec(settings, text, **filters)
    with open_store(settings) as store:
        previous = store.get_saved_search(_name(name))
        now = utcnow()
        try:
            saved = SavedSearch(**spec.model_dump(), name=name, description=description,
                                created_at=previous.created_at if previous else now, updated_at=now)
        except ValidationError as exc:
            raise SearchInputError(f"cannot save this search: {exc.errors()[0]['msg']}") from None
        store.save_search(saved)
    return saved


def list_saved_searches(settings: Settings) -> list[SavedSearch]:
    with open_store(settings) as store:
        return store.list_saved_searches()


def get_saved_search(settings: Settings, name: str) -> SavedSearch:
    """The saved search ``name``; ``SearchInputError`` listing the known names when there is none."""
    with open_store(settings) as store:
        saved = store.get_saved_search(_name(name))
        if saved is None:
            known = ", ".join(s.name for s in store.list_saved_searches()) or "none saved yet"
            raise SearchInputError(f"no saved search named {name!r} (known: {known}); "
                                   "save one with: starwatch search QUERY --save NAME")
    return saved


def run_saved_search(settings: Settings, name: str, *, limit: int = 20, facets: Sequence[str] | bool = (),
                     cursor: str | None = None, now: datetime | None = None) -> SearchPage:
    """Run the saved search ``name`` as it means now (current group members, moving window)."""
    return run_spec(settings, get_saved_search(settings, name).spec(), limit=limit, facets=facets, cursor=cursor, now=now)


def saved_search_query(settings: Settings, name: str, *, now: datetime | None = None, limit: int = 20) -> SearchQuery:
    """The ``SearchQuery`` the saved search ``name`` stands for at ``now``: what an alert rule runs."""
    return spec_query(settings, get_saved_search(settings, name).spec(), limit=limit, now=now)


def delete_saved_search(settings: Settings, name: str) -> bool:
    with open_store(settings) as store:
        return store.delete_saved_search(_name(name))


def _name(name: str) -> str:
    from search.backends.base import QueryError

    try:
        return check_saved_search_name(name)
    except QueryError as exc:
        raise SearchInputError(str(exc)) from None
