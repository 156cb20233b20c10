"""Bulk writes to Elasticsearch with bounded concurrency, backpressure and per-document outcomes.

``BulkWriter.write`` cuts a stream of bulk actions into chunks and sends up to ``concurrency``
chunks at a time while the caller keeps producing the next ones, so converting records (CPU, in
this process) overlaps with indexing (in the cluster). At most ``concurrency + 1`` chunks are in
memory or in flight: when the cluster slows down, the producer waits instead of piling up
requests (backpressure).

Each chunk goes through the official client's ``helpers.streaming_bulk``, which retries
documents the cluster rejected with HTTP 429 (its write queue is full) with exponential
backoff, and whole requests refused with 429. A document still rejected after the last retry,
or refused for another reason (a mapping conflict, a write block), is returned in
``BulkOutcome.failures`` with its id and the cluster's reason: the caller reports it, nothing is
dropped silently. Transport failures (the node is down) raise, as every store call does.

Reads no settings; the store passes its own limits. Example::

    outcome = BulkWriter(client).write(actions, require_alias=True)
    outcome.created, outcome.updated, outcome.failures
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Iterable, Iterator

CHUNK_SIZE = 500
MAX_CHUNK_BYTES = 10 * 1024 * 1024
CONCURRENCY = 2
MAX_RETRIES = 6  # with a 0.5 s first backoff: about 30 s of patience for an overloaded node
INITIAL_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 30.0


@dataclass
class BulkOutcome:
    """Per-document results of one write: counts, and every document that was not written."""

    created: int = 0
    updated: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)

    def add(self, other: "BulkOutcome") -> None:
        self.created += other.created
        self.updated += other.updated
        self.failures.extend(other.failures)


@dataclass
class BulkWriter:
    """Sends bulk actions in parallel chunks; see the module docstring."""

    client: Any
    chunk_size: int = CHUNK_SIZE
    max_chunk_bytes: int = MAX_CHUNK_BYTES
    concurrency: int = CONCURRENCY
    max_retries: int = MAX_RETRIES
    initial_backoff: float = INITIAL_BACKOFF_SECONDS
    max_backoff: float = MAX_BACKOFF_SECONDS

    def write(self, actions: Iterable[dict[str, Any]], **bulk_params: Any) -> BulkOutcome:
        """Index every action; ``bulk_params`` go to the ``_bulk`` API (e.g. ``require_alias=True``)."""
        chunks = _chunks(actions, self.chunk_size)
        first = next(chunks, None)
        if first is None:
            return BulkOutcome()
        second = next(chunks, None)
        if second is None or self.concurrency <= 1:  # small writes: no threads
            outcome = self._send(first, bulk_params)
            for chunk in ([second] if second else []) + list(chunks):
                outcome.add(self._send(chunk, bulk_params))
            return outcome
        return self._write_parallel(_prepend([first, second], chunks), bulk_params)

    def _write_parallel(self, chunks: Iterator[list[dict[str, Any]]], bulk_params: dict[str, Any]) -> BulkOutcome:
        outcome = BulkOutcome()
        slots = threading.BoundedSemaphore(self.concurrency + 1)
        pending: list[Future] = []
        with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="starwatch-bulk") as pool:
            try:
                for chunk in chunks:
                    slots.acquire()  # backpressure: wait while every slot is busy
                    future = pool.submit(self._send, chunk, bulk_params)
                    future.add_done_callback(lambda _done: slots.release())
                    pending.append(future)
                    pending = _collect_done(pending, outcome)
            finally:
                for future in pending:  # wait for the rest; the first error raises after
                    future.exception()
            for future in pending:
                outcome.add(future.result())
        return outcome

    def _send(self, chunk: list[dict[str, Any]], bulk_params: dict[str, Any]) -> BulkOutcome:
        from elasticsearch.helpers import streaming_bulk

        outcome = BulkOutcome()
        for ok, item in streaming_bulk(
            self.client, chunk, chunk_size=len(chunk), max_chunk_bytes=self.max_chunk_bytes,
            raise_on_error=False, max_retries=self.max_retries, initial_backoff=self.initial_backoff,
            max_backoff=self.max_backoff, **bulk_params,
        ):
            result = next(iter(item.values()), {})
            if not ok:
                outcome.failures.append(result)
            elif result.get("result") == "created":
                outcome.created += 1
            else:
                outcome.updated += 1
        return outcome


def _chunks(actions: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(actions)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _prepend(first: list[list[dict[str, Any]]], rest: Iterator[list[dict[str, Any]]]) -> Iterator[list[dict[str, Any]]]:
    yield from first
    yield from rest


def _collect_done(pending: list[Future], outcome: BulkOutcome) -> list[Future]:
    """Fold finished chunks into ``outcome`` (raising their error) and keep the unfinished ones."""
    still_running = []
    for future in pending:
        if future.done():
            outcome.add(future.result())
        else:
            still_running.append(future)
    return still_running
