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
from workers.analysis.analyzer import Analysis, analyze_batch

logger = logging.getLogger(__name__)

RECORD_TYPES: dict[str, type[BaseModel]] = {"reviews": Review, "mentions": Mention, "snapshots": RatingSnapshot}
ID_FIELDS = {"reviews": "review_id", "mentions": "mention_id", "snapshots": "snapshot_id"}
MAX_ERRORS_SHOWN = 3

TextAnalyzer = Callable[..., Analysis]
# Flag families the analysis owns: recomputed on every ingest. Other families (authenticity,
# campaigns) are set by later stages and must survive a re-analysis.
ANALYSIS_FLAG_PREFIXES = ("integrity:", "solicitation:")


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


def ingest_batch(batch: Any, store: ReviewStore, analyzer: TextAnalyzer | None = None) -> IngestResult:
    """Validate each record, analyse reviews and mentions, upsert everything into ``store``.

    :param batch: ``{"reviews": [...], "mentions": [...], "snapshots": [...]}`` of JSON dicts.
    :param store: any ``ReviewStore``; its errors (``StoreUnavailable``) propagate to the caller.
    :param analyzer: ``analyzer(text, language_hint=...) -> Analysis``; swappable for tests. By
        default the whole batch is scored at once by ``workers.analysis.analyze_batch``.

    Example::

        result = ingest_batch({"reviews": [review.model_dump(mode="json")]}, store)
        result.reviews, result.rejected  # (1, [])
    """
    result = IngestResult()
    records = _validated_records(batch, result.rejected)
    reviews = _analysed_all(records["reviews"], analyzer, result.analysis_errors)
    mentions = _analysed_all(records["mentions"], analyzer, result.analysis_errors)
    if reviews:
        store.upsert_reviews(_with_authenticity_kept(store, reviews))
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


AUTHENTICITY_FLAG_PREFIXES = ("authenticity:", "campaign:")


def _with_authenticity_kept(store: ReviewStore, reviews: list[Review]) -> list[Review]:
    """A re-crawled review keeps what the last authenticity assessment said of it.

    Crawlers know nothing of authenticity, and an upsert replaces the whole record, so without
    this a re-crawl would clear a review's campaign flags until the next hourly assessment.
    """
    kept = []
    for review in reviews:
        stored = store.get_review(review.review_id)
        if stored is None or (stored.authenticity_weight is None and not stored.authenticity_reasons):
            kept.append(review)
            continue
        carried = [f for f in stored.flags if f.startswith(AUTHENTICITY_FLAG_PREFIXES)]
        kept.append(review.model_copy(update={
            "flags": sorted(set(review.flags) | set(carried)),
            "authenticity_weight": stored.authenticity_weight,
            "authenticity_reasons": dict(stored.authenticity_reasons),
        }))
    return kept


def _text_of(record: Review | Mention) -> str:
    return " ".join(part for part in (record.title, record.text) if part)


def _analysed_all(records: list, analyzer: TextAnalyzer | None, errors: list[str]) -> list:
    """Every record with its analysis; one batch call, or record by record if the batch fails."""
    if not records:
        return []
    if analyzer is None:
        try:
            analyses = analyze_batch([_text_of(r) for r in records], [r.language for r in records])
            return [_with_analysis(record, analysis) for record, analysis in zip(records, analyses)]
        except Exception:  # noqa: BLE001 - find the record that breaks it, keep all the others
            logger.exception("batch analysis failed; analysing record by record")
    return [_analysed(record, analyzer, errors) for record in records]


def _analysed(record: Review | Mention, analyzer: TextAnalyzer | None, errors: list[str]) -> Review | Mention:
    """The record with its analysis; unchanged (and noted) if the analyzer fails on it."""
    try:
        if analyzer is None:
            analysis = analyze_batch([_text_of(record)], [record.language])[0]
        else:
            analysis = analyzer(_text_of(record), language_hint=record.language)
    except Exception as exc:  # noqa: BLE001 - a failing analyzer must not lose the record
        errors.append(f"{record.doc_id}: analysis failed: {type(exc).__name__}: {exc}")
        logger.exception("analysis failed for %s; storing it without analysis", record.doc_id)
        return record
    return _with_analysis(record, analysis)


def _with_analysis(record: Review | Mention, analysis: Analysis) -> Review | Mention:
    update = analysis.record_update() if hasattr(analysis, "record_update") else {
        "language": analysis.language, "sentiment_score": analysis.sentiment_score,
        "sentiment_label": analysis.sentiment_label}
    update = {key: value for key, value in update.items() if value is not None}
    kept = [flag for flag in record.flags if not flag.startswith(ANALYSIS_FLAG_PREFIXES)]
    update["flags"] = sorted(set(kept) | set(update.get("flags", [])))
    update.setdefault("language", record.language)
    return record.model_copy(update=update)