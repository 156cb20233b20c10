"""Index administration: what each store holds (``status``) and moving Elasticsearch indices to
the latest mapping version without losing a document (``migrate``).

Migration of one alias, e.g. ``starwatch-documents`` from ``-v1`` to ``-v2``:

1. create ``-v2`` from the latest definition (refresh off while copying);
2. note, per shard of ``-v1``, the local checkpoint (every write up to it is applied; every later
   write gets a higher sequence number), then refresh;
3. copy ``-v1`` into ``-v2`` from a point-in-time snapshot, ``search_after`` page by page, through
   the store's bulk writer (429 rejections retried, other failures stop the migration). Each
   document is rebuilt from its record, so fields added by the new version (authenticity
   weights, folded text) are filled; the stripped node has no ``_reindex`` and no painless;
4. block writes on ``-v1``, copy what was written since the watermarks (step 2), check that both
   indices hold the same number of documents;
5. move the alias to ``-v2`` in one atomic ``_aliases`` call, turn refresh back on.

Writers are refused only between steps 4 and 5 (seconds), with an error they report or retry
(Celery retries ingestion tasks); nothing written before the block is missed, because the
catch-up reads by sequence number. ``-v1`` stays, read-only, for a rollback, unless
``delete_old``. A migration that fails leaves the alias where it was, lifts the block and drops
the partial copy. Documents deleted during a migration may survive in the copy (starwatch never
deletes reviews; saved searches deleted meanwhile can reappear).

Reads no settings: callers pass an opened store (``starwatch.capabilities.indexing``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Sequence

from search.backends.base import StoreError
from search.backends.es_bulk import BulkWriter
from search.backends.es_documents import document_source
from search.backends.records import document_from_fields
from search.mappings import MAPPING_NAMES

BATCH_SIZE = 1000
PIT_KEEP_ALIVE = "5m"
Progress = Callable[[str], None]


@dataclass
class IndexState:
    name: str
    alias: str
    index: str | None
    version: str | None
    latest_version: str
    documents: int | None = None
    size_bytes: int | None = None
    others: list[str] = field(default_factory=list)  # older copies kept after a migration

    @property
    def pending(self) -> bool:
        return self.version is not None and self.version != self.latest_version


@dataclass
class StoreStatus:
    backend: str
    location: str
    indices: list[IndexState]
    features: dict[str, bool] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class MigrationResult:
    name: str
    status: str  # "migrated", "up-to-date" or "created"
    source: str | None
    target: str
    copied: int = 0
    caught_up: int = 0
    rebuilt_as_is: int = 0  # documents whose record could not be read, copied unchanged
    seconds: float = 0.0
    deleted_source: bool = False


# -- status ---------------------------------------------------------------------------------


def elasticsearch_status(store) -> StoreStatus:
    """Alias, index, version, size and pending migration of every starwatch index, and the cluster's features."""
    features = store.features()
    with store._calling("reading index status") as client:
        indices = [_index_state(client, store, name) for name in MAPPING_NAMES]
    notes = list(features.notes) + features.degraded()
    pending = [state.alias for state in indices if state.pending]
    if pending:
        notes.insert(0, f"{', '.join(pending)}: a newer mapping version exists; run: starwatch index migrate")
    return StoreStatus("elasticsearch", store.url, indices, features.as_dict(), notes)


def _index_state(client, store, name: str) -> IndexState:
    alias = store.alias(name)
    state = IndexState(name, alias, None, None, store.version_of(name))
    aliased = client.options(ignore_status=404).indices.get_alias(name=alias).body
    existing = client.options(ignore_status=404).indices.get(index=f"{alias}-v*", allow_no_indices=True).body or {}
    current = _write_index(aliased, alias) if aliased and "error" not in aliased else None
    state.others = sorted(index for index in existing if index != current)
    if current is None:
        return state
    state.index, state.version = current, current.rsplit("-", 1)[-1]
    stats = client.indices.stats(index=current, metric="docs,store").body["indices"][current]["primaries"]
    state.documents, state.size_bytes = stats["docs"]["count"], stats["store"]["size_in_bytes"]
    return state


def _write_index(aliased: dict[str, Any], alias: str) -> str | None:
    """The index writes go to: the one flagged ``is_write_index``, else the only one."""
    flagged = [index for index, body in aliased.items() if body.get("aliases", {}).get(alias, {}).get("is_write_index")]
    if flagged:
        return flagged[0]
    return next(iter(aliased)) if len(aliased) == 1 else None


def sqlite_status(store) -> StoreStatus:
    """Schema version, file size and row counts of a SQLite store (it migrates itself on open)."""
    from search.backends.sqlite_schema import SCHEMA_VERSION

    tables = ("documents", "snapshots", "incidents", "saved_searches")
    with store._reading("reading its status") as connection:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        counts = {table: connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in tables}
    size = store.path.stat().st_size if store.path.exists() else 0
    indices = [IndexState(table, table, table, f"v{version}", f"v{SCHEMA_VERSION}", counts[table],
                          size if table == "documents" else None) for table in tables]
    notes = ["SQLite files upgrade their schema themselves when first opened; nothing to migrate"]
    return StoreStatus("sqlite", str(store.path), indices, {}, notes)


# -- migration ------------------------------------------------------------------------------


def migrate(store, names: Sequence[str] | None = None, *, batch_size: int = BATCH_SIZE, delete_old: bool = False,
            progress: Progress | None = None) -> list[MigrationResult]:
    """Bring every alias (or ``names``) to the version this store creates; see the module docstring."""
    unknown = sorted(set(names or ()) - set(MAPPING_NAMES))
    if unknown:
        raise StoreError(f"unknown index name(s) {unknown}; choose among {list(MAPPING_NAMES)}")
    say = progress or (lambda message: None)
    return [_migrate_one(store, name, batch_size, delete_old, say) for name in (names or MAPPING_NAMES)]


def _migrate_one(store, name: str, batch_size: int, delete_old: bool, say: Progress) -> MigrationResult:
    started = time.monotonic()
    alias, target = store.alias(name), store.index_name(name)
    with store._calling(f"inspecting {alias}") as client:
        aliased = client.options(ignore_status=404).indices.get_alias(name=alias).body
    source = _write_index(aliased, alias) if aliased and "error" not in aliased else None
    if source is None:
        store._create(name)
        return MigrationResult(name, "created", None, target, seconds=time.monotonic() - started)
    if source == target:
        return MigrationResult(name, "up-to-date", source, target)
    store.put_template(name)  # the latest definition; the alias stays where it is until the swap
    result = MigrationResult(name, "migrated", source, target)
    say(f"{alias}: copying {source} into {target}")
    with store._calling(f"migrating {alias} from {source} to {target}") as client:
        _copy_then_swap(store, client, name, source, target, batch_size, result, say)
        if delete_old:
            client.indices.delete(index=source)
            result.deleted_source = True
    result.seconds = time.monotonic() - started
    return result


def _copy_then_swap(store, client, name: str, source: str, target: str, batch_size: int,
                    result: MigrationResult, say: Progress) -> None:
    alias = store.alias(name)
    definition = store.definition(name)
    if client.indices.exists(index=target):
        say(f"{alias}: removing {target}, left unused by an interrupted migration")
        client.indices.delete(index=target)
    client.indices.create(index=target, settings={**definition["settings"], "refresh_interval": "-1"},
                          mappings=definition["mappings"])
    swapped = blocked = False
    try:
        marks = _watermarks(client, source)
        result.copied = _copy(store, client, name, _snapshot_pages(client, source, batch_size), target, result)
        client.indices.put_settings(index=source, settings={"index.blocks.write": True})
        blocked = True
        client.indices.refresh(index=source)
        result.caught_up = _copy(store, client, name, _pages_since(client, source, marks, batch_size), target, result)
        client.indices.refresh(index=target)
        _check_counts(client, source, target)
        client.indices.update_aliases(actions=[
            {"remove": {"index": source, "alias": alias}},
            {"add": {"index": target, "alias": alias, "is_write_index": True}},
        ])
        swapped = True
        say(f"{alias}: now on {target} ({result.copied + result.caught_up} documents)")
    finally:
        if swapped:
            client.indices.put_settings(index=target, settings={"index.refresh_interval": None})
        else:
            if blocked:
                client.indices.put_settings(index=source, settings={"index.blocks.write": False})
            client.options(ignore_status=404).indices.delete(index=target)


def _watermarks(client, index: str) -> dict[int, int]:
    """Per primary shard, its local checkpoint: every write up to it is applied, every later
    write gets a higher sequence number. The refresh that follows makes all of them searchable,
    so the snapshot holds everything up to the mark and the catch-up reads only what came after.
    """
    shards = client.indices.stats(index=index, level="shards", metric="docs").body["indices"][index]["shards"]
    marks = {int(shard): copy["seq_no"]["local_checkpoint"]
             for shard, copies in shards.items() for copy in copies if copy["routing"]["primary"]}
    client.indices.refresh(index=index)
    return marks


def _snapshot_pages(client, index: str, batch_size: int) -> Iterator[list[dict[str, Any]]]:
    """Every document of ``index`` as of now, in pages, from a point in time."""
    pit = client.open_point_in_time(index=index, keep_alive=PIT_KEEP_ALIVE).body["id"]
    try:
        after = None
        while True:
            body: dict[str, Any] = {"size": batch_size, "sort": [{"_shard_doc": "asc"}],
                                    "pit": {"id": pit, "keep_alive": PIT_KEEP_ALIVE}}
            if after is not None:
                body["search_after"] = after
            response = client.search(**body).body
            pit = response.get("pit_id", pit)
            hits = response["hits"]["hits"]
            if not hits:
                return
            yield hits
            after = hits[-1]["sort"]
    finally:
        client.options(ignore_status=404).close_point_in_time(id=pit)


def _pages_since(client, index: str, marks: dict[int, int], batch_size: int) -> Iterator[list[dict[str, Any]]]:
    """Documents written after the watermarks (writes are blocked now, so this is final)."""
    for shard, mark in marks.items():
        after = None
        while True:
            body: dict[str, Any] = {"size": batch_size, "sort": [{"_seq_no": "asc"}],
                                    "query": {"range": {"_seq_no": {"gt": mark}}}}
            if after is not None:
                body["search_after"] = after
            hits = client.search(index=index, preference=f"_shards:{shard}", **body).body["hits"]["hits"]
            if not hits:
                break
            yield hits
            after = hits[-1]["sort"]


def _copy(store, client, name: str, pages: Iterator[list[dict[str, Any]]], target: str,
          result: MigrationResult) -> int:
    writer = BulkWriter(client, concurrency=store.bulk_concurrency)
    copied = 0
    for hits in pages:
        actions = [{"_op_type": "index", "_index": target, "_id": hit["_id"],
                    "_source": _rebuilt(name, hit["_source"], result)} for hit in hits]
        outcome = writer.write(actions)
        if outcome.failures:
            first = outcome.failures[0]
            raise StoreError(f"{len(outcome.failures)} document(s) could not be copied into {target} (first: "
                             f"{first.get('_id')}: {first.get('error')}); the alias was not moved, retry the migration")
        copied += len(actions)
    return copied


def _rebuilt(name: str, source: dict[str, Any], result: MigrationResult) -> dict[str, Any]:
    """Documents are rebuilt from their record so new derived fields are filled; others copy as is."""
    if name != "documents":
        return source
    try:
        return document_source(document_from_fields(source))
    except (ValueError, KeyError):
        result.rebuilt_as_is += 1
        return source


def _check_counts(client, source: str, target: str) -> None:
    expected, copied = client.count(index=source)["count"], client.count(index=target)["count"]
    if expected != copied:
        raise StoreError(f"{target} holds {copied} documents but {source} holds {expected}; the alias was not "
                         "moved. Retry the migration (it starts over)")
