"""Validate, analyse and store one batch of collected records: the workers' main job.

A batch is what a crawler sends through ``workers.dispatch.submit_batch``::

    {"reviews": [Review.model_dump(mode="json"), ...],
     "mentions": [Mention.model_dump(mode="json"), ...],
     "snapshots": [RatingSnapshot.model_dump(mode="json"), ...]}

Every key is optional. Each record is validated on its own: a bad record is rejected with a
reason that names it (and logged in full at WARNING, so it can be replayed once fixed) while
the rest of the batch is stored. Reviews and mentions get their language and sentiment from
``workers.analysis`` before they are upserted.

Idempotent: ids come with the records and every write is an upsert, and the analysis is
deterministic, so a batch delivered twice (a worker killed before it acknowledged the task)
leaves the store exactly as one delivery does. This relies on producers sending records as
dumped by the models, which always carry ``collected_at``.

Reads no settings: the caller passes the store.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from pydantic import BaseModel, ValidationError

from search.backends.base import ReviewStore
from search.documents import Mention, RatingSnapshot, Review
from workers.analysis.analyzer import Analysis, analyze

logger = logging.getLogger(__name__)

RECORD_TYPES: dict[str, type[BaseModel]] = {"reviews": Review, "mentions": Mention, "snapshots": RatingSnapshot}
ID_FIELDS = {"reviews": "review_id", "mentions": "mention_id", "snapshots": "snapshot_id"}
MAX_ERRORS_SHOWN = 3

TextAnalyzer = Callable[..., Analysis]


@dataclass
class IngestResult:
    """How many records of each kind were stored (new or updated), and why the others were not."""

    reviews: int = 0
    mentions: int = 0
    snapshots: int = 0
    rejected: list[str] = field(default_factory=list)
    analysis_errors: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {"reviews": self.reviews, "mentions": self.mentions, "snapshots": self.snapshots,
                "rejected": len(self.rejected), "analysis_errors": len(self.analysis_errors)}


def ingest_batch(batch: Any, store: ReviewStore, analyzer: TextAnalyzer = analyze) -> IngestResult:
    """Validate each record, analyse reviews and mentions, upsert everything into ``store``.

    :param batch: ``{"reviews": [...], "mentions": [...], "snapshots": [...]}`` of JSON dicts.
    :param store: any ``ReviewStore``; its errors (``StoreUnavailable``) propagate to the caller.
    :param analyzer: ``analyzer(text, language_hint=...) -> Analysis``; swappable for tests.

    Example::

        result = ingest_batch({"reviews": [review.model_dump(mode="json")]}, store)
        result.reviews, result.rejected  # (1, [])
    """
    result = IngestResult()
    records = _validated_records(batch, result.rejected)
    reviews = [_analysed(r, analyzer, result.analysis_errors) for r in records["reviews"]]
    mentions = [_analysed(m, analyzer, result.analysis_errors) for m in records["mentions"]]
    if reviews:
        store.upsert_reviews(reviews)
    if mentions:
        store.upsert_mentions(mentions)
    if records["snapshots"]:
        store.add_snapshots(records["snapshots"])
    result.reviews, result.mentions, result.snapshots = len(reviews), len(mentions), len(records["snapshots"])
    logger.info("ingested batch: %s", result.summary())
    return result


def _validated_records(batch: Any, rejected: list[str]) -> dict[str, list[BaseModel]]:
    valid: dict[str, list[BaseModel]] = {kind: [] for kind in RECORD_TYPES}
    if not isinstance(batch, Mapping):
        _reject(rejected, f"batch: expected a mapping with keys {', '.join(RECORD_TYPES)}, "
                          f"got {type(batch).__name__}; nothing was stored", batch)
        return valid
    for kind, raw_records in batch.items():
        if kind not in RECORD_TYPES:
            _reject(rejected, f"batch: unknown key {kind!r} (expected {', '.join(RECORD_TYPES)}); "
                              "its records were not stored", raw_records)
        elif not isinstance(raw_records, list):
            _reject(rejected, f"batch: {kind!r} must be a list of records, got {type(raw_records).__name__}",
                    raw_records)
        else:
            for index, raw in enumerate(raw_records):
                record = _validated(kind, index, raw, rejected)
                if record is not None:
                    valid[kind].append(record)
    return valid


def _validated(kind: str, index: int, raw: Any, rejected: list[str]) -> BaseModel | None:
    where = f"{kind}[{index}]"
    if not isinstance(raw, Mapping):
        _reject(rejected, f"{where}: expected a record (JSON object), got {type(raw).__name__}", raw)
        return None
    record_id = raw.get(ID_FIELDS[kind])
    if record_id:
        where += f" ({ID_FIELDS[kind]} {record_id!r})"
    try:
        return RECORD_TYPES[kind].model_validate(raw)
    except ValidationError as exc:
        _reject(rejected, f"{where}: {_describe(exc)}", raw)
        return None


def _describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors()[:MAX_ERRORS_SHOWN]:
        location = ".".join(str(part) for part in error.get("loc", ())) or "record"
        shown = f" (got {error['input']!r:.60})" if error.get("type") != "missing" and "input" in error else ""
        problems.append(f"{location}: {error.get('msg', 'invalid')}{shown}")
    more = exc.error_count() - MAX_ERRORS_SHOWN
    return "; ".join(problems) + (f"; and {more} more problem(s)" if more > 0 else "")


def _reject(rejected: list[str], reason: str, raw: Any) -> None:
    rejected.append(reason)
    logger.warning("rejected %s; record: %s", reason, json.dumps(raw, default=str, ensure_ascii=False))


def _analysed(record: Review | Mention, analyzer: TextAnalyzer, errors: list[str]) -> Review | Mention:
    """The record with language and sentiment set; unchanged (and noted) if the analyzer fails."""
    text = " ".join(part for part in (record.title, record.text) if part)
    try:
        analysis = analyzer(text, language_hint=record.language)
    except Exception as exc:  # noqa: BLE001 - a failing analyzer must not lose the record
        errors.append(f"{record.doc_id}: analysis failed: {type(exc).__name__}: {exc}")
        logger.exception("analysis failed for %s; storing it without analysis", record.doc_id)
        return record
    update: dict[str, Any] = {"language": analysis.language or record.language}
    if analysis.sentiment_score is not None:
        update["sentiment_score"] = analysis.sentiment_score
        update["sentiment_label"] = analysis.sentiment_label
    return record.model_copy(update=update)
