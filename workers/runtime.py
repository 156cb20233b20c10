"""The settings and the store of this process, created on first use and kept for its lifetime.

A worker runs thousands of tasks; loading the configuration and opening the store for each
one would waste time and connections. A store connection must never be shared across a fork:
a prefork pool process inherits its parent's settings (plain data) but opens its own store.
``workers.celery_app.configure(settings)`` hands its settings over here, so tasks run with
the settings the worker was started with (``starwatch worker --config ...``).

Settings read: all of them, through ``config.load_settings()`` (file from ``--config`` /
``$STARWATCH_CONFIG`` / ``config/starwatch.yaml``, then ``STARWATCH_*`` variables); the store
is built by ``search.factory.get_store(settings)`` from ``store.*`` and ``elasticsearch.*``.
"""

from __future__ import annotations

import logging
import os
import threading

from config.settings import Settings, load_settings
from search.backends.base import ReviewStore

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_settings: Settings | None = None
_stores: dict[str, ReviewStore] = {}
_owner_pid = os.getpid()


def get_settings() -> Settings:
    """This process's settings, loaded once (raises ``ConfigError`` with a fixable message)."""
    global _settings
    with _lock:
        _forget_if_forked()
        if _settings is None:
            _settings = load_settings()
        return _settings


def use_settings(settings: Settings) -> None:
    """Make ``settings`` this process's settings (called by ``workers.celery_app.configure``)."""
    global _settings
    with _lock:
        _forget_if_forked()
        _settings = settings


def get_store(settings: Settings | None = None) -> ReviewStore:
    """The store for ``settings`` (default: this process's), created and readied once.

    Stores are kept per backend location, so callers holding their own settings (tests,
    ``tasks.mode: inprocess`` producers) get their own store, not the worker's.
    """
    settings = settings or get_settings()
    key = _store_key(settings)
    with _lock:
        _forget_if_forked()
        store = _stores.get(key)
        if store is None:
            from search.factory import get_store as build_store

            store = build_store(settings)
            store.ensure_ready()
            _stores[key] = store
            logger.info("store ready: %s", key)
        return store


def reset() -> None:
    """Close the stores and forget the settings (after a fork, at shutdown, between tests)."""
    global _settings, _owner_pid
    with _lock:
        if _owner_pid == os.getpid():
            for store in _stores.values():
                _close_quietly(store)
        _stores.clear()
        _settings = None
        _owner_pid = os.getpid()


def _store_key(settings: Settings) -> str:
    if settings.store.backend == "sqlite":
        return f"sqlite:{settings.store.sqlite_path.resolve()}"
    return f"elasticsearch:{settings.elasticsearch.url}/{settings.elasticsearch.index_prefix}"


def forget_inherited_stores() -> None:
    """In a freshly forked process: drop the parent's stores, keep its settings."""
    with _lock:
        _forget_if_forked()


def _forget_if_forked() -> None:
    """Connections inherited from a parent process are dropped unclosed: the parent owns them."""
    global _owner_pid
    if _owner_pid != os.getpid():
        _stores.clear()
        _owner_pid = os.getpid()


def _close_quietly(store: ReviewStore) -> None:
    try:
        store.close()
    except Exception:  # noqa: BLE001 - closing at shutdown must not mask the real outcome
        logger.warning("closing the store failed", exc_info=True)
