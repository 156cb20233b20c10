"""Build the configured ``ReviewStore``: the one place that maps settings to a backend.

Reads ``store.backend`` (``sqlite`` or ``elasticsearch``), ``store.sqlite_path`` and the
``elasticsearch`` section (url, index_prefix, request_timeout_seconds, point_in_time_keep_alive,
and the username, password and api_key secrets, which come only from the environment). Constructing a store does
no I/O: the SQLite file is opened and the Elasticsearch client created on first use, so a CLI
command that never touches the store never fails because the store is down. Call
``store.ensure_ready()`` to create tables / indices up front and fail fast.

Example::

    from config import load_settings
    from search.factory import get_store

    store = get_store(load_settings())
    store.ensure_ready()
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from search.backends.base import ReviewStore, StoreError

if TYPE_CHECKING:
    from config.settings import Settings


def get_store(settings: "Settings") -> ReviewStore:
    """The store selected by ``settings.store.backend``, not yet connected."""
    backend = settings.store.backend
    if backend == "sqlite":
        from search.backends.sqlite import SQLiteReviewStore

        return SQLiteReviewStore(settings.store.sqlite_path)
    if backend == "elasticsearch":
        from search.backends.elasticsearch import ElasticsearchReviewStore

        es = settings.elasticsearch
        return ElasticsearchReviewStore(
            es.url,
            index_prefix=es.index_prefix,
            username=es.username,
            password=es.password.get_secret_value() if es.password else None,
            api_key=es.api_key.get_secret_value() if es.api_key else None,
            request_timeout=es.request_timeout_seconds,
            point_in_time_keep_alive=es.point_in_time_keep_alive,
        )
    raise StoreError(
        f"unknown store backend {backend!r}; set store.backend (STARWATCH_STORE__BACKEND) "
        "to 'sqlite' or 'elasticsearch'"
    )
