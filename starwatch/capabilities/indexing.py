"""Look after the store's indices: ``index_status`` (what each holds, what the cluster can do) and
``migrate_indices`` (move Elasticsearch aliases to the latest mapping version, losing nothing).

The work is in ``search.index_admin``; this module opens the configured store and picks the
backend's variant. SQLite files upgrade their own schema when opened, so migrating them only
reports their state. Reads the store settings.
"""

from __future__ import annotations

from typing import Callable, Sequence

from config import Settings
from search.index_admin import MigrationResult, StoreStatus, elasticsearch_status, migrate, sqlite_status
from starwatch.capabilities.stores import open_store


def index_status(settings: Settings) -> StoreStatus:
    """Every index (or table) of the configured store: version, documents, pending migration."""
    with open_store(settings) as store:
        if settings.store.backend == "elasticsearch":
            return elasticsearch_status(store)
        return sqlite_status(store)


def migrate_indices(settings: Settings, names: Sequence[str] | None = None, *, delete_old: bool = False,
                    progress: Callable[[str], None] | None = None) -> list[MigrationResult]:
    """Bring every index (or ``names``) to the latest mapping version; see ``search.index_admin``.

    Example::

        for result in migrate_indices(settings, progress=print):
            print(result.name, result.status, result.copied)
    """
    with open_store(settings) as store:
        if settings.store.backend != "elasticsearch":
            status = sqlite_status(store)
            return [MigrationResult(state.name, "up-to-date", state.index, state.index) for state in status.indices]
        return migrate(store, names, delete_old=delete_old, progress=progress)
