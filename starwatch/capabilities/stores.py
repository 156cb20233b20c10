"""Opening the configured store for one capability call, and always closing it."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from config import Settings
from search.backends.base import ReviewStore
from search.factory import get_store


@contextmanager
def open_store(settings: Settings) -> Iterator[ReviewStore]:
    """The configured store, ready to use (indexes/tables created); closed on exit."""
    store = get_store(settings)
    try:
        store.ensure_ready()
        yield store
    finally:
        store.close()
