"""SQL text for ``SQLiteReviewStore`` searches, built from typed values only.

Every value travels as a ``?`` parameter; only fixed column names and placeholders are pasted
into the SQL text, so no filter value can change the statement. The statements of a search
(count, page, snippets, facets) are in ``sqlite_plan``. User query text reaches FTS5
only as the quoted expression from ``search.query_text``. Reads no settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Sequence

from search.backends.base import SearchQuery
from search.backends.records import utc_key
from search.queries import STAR_RANGES


@dataclass
class Where:
    """A conjunction of SQL conditions and their parameters, in order."""

    conditions: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, condition: str, *params: Any) -> None:
        self.conditions.append(condition)
        self.params.extend(params)

    def add_in(self, column: str, values: Sequence[Any] | None) -> None:
        if values is None:
            return
        values = list(values)
        self.add(f"{column} IN ({', '.join('?' for _ in values)})", *values)

    def add_window(self, column: str, since: datetime | None, until: datetime | None) -> None:
        if since is not None:
            self.add(f"{column} >= ?", utc_key(since))
        if until is not None:
            self.add(f"{column} < ?", utc_key(until))

    def sql(self) -> str:
        return " AND ".join(self.conditions) if self.conditions else "1"


# A covering index of every filter column by document id (schema 3): the full-text side checks
# its matches against filters there, on narrow entries, instead of reading the wide documents rows.
COLUMNS_INDEX = "documents_columns"
COLUMNS_INDEX_DDL = (f"CREATE INDEX IF NOT EXISTS {COLUMNS_INDEX} ON documents (id, kind, entity_id, source, language,"
                     " sentiment_label, rating, published_at, authenticity_weight)")
TAGGED = "SELECT 1 FROM document_tags t WHERE t.field = ? AND t.value IN ({placeholders}) AND t.doc = d.id"


def _placeholders(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values) or "NULL"


def document_filters(query: SearchQuery) -> Where:
    where = Where()
    where.add_in("d.entity_id", query.entity_ids)
    where.add_in("d.kind", query.kinds)
    where.add_in("d.source", query.sources)
    where.add_in("d.language", query.languages)
    where.add_in("d.sentiment_label", query.sentiment_labels)
    for field, values in (("aspects", query.aspects), ("flags", query.flags)):
        if values is not None:
            where.add(f"EXISTS ({TAGGED.format(placeholders=_placeholders(values))})", field, *values)
    if query.exclude_flags:
        where.add(f"NOT EXISTS ({TAGGED.format(placeholders=_placeholders(query.exclude_flags))})",
                  "flags", *query.exclude_flags)
    if query.min_rating is not None:
        where.add("d.rating >= ?", query.min_rating)
    if query.max_rating is not None:
        where.add("d.rating <= ?", query.max_rating)
    where.add_window("d.published_at", query.since, query.until)
    return where


DATE_ORDER = "d.published_at DESC NULLS LAST, d.doc_id ASC"


def rated_reviews(entity_ids: Sequence[str], since: datetime | None, until: datetime | None) -> Where:
    where = Where()
    where.add("d.kind = 'review'")
    where.add("d.rating IS NOT NULL")
    where.add_in("d.entity_id", entity_ids)
    where.add_window("d.published_at", since, until)
    return where


def star_case(column: str) -> str:
    """SQL ``CASE`` giving the star (1-5) of a rating column: the half-up buckets of ``STAR_RANGES``.

    >>> star_case("rating")[:40]
    'CASE WHEN rating < 1.5 THEN 1 WHEN ratin'
    """
    branches = [f"WHEN {column} < {float(high)!r} THEN {star}" for star, _low, high in STAR_RANGES if high is not None]
    last = next(star for star, _low, high in STAR_RANGES if high is None)
    return f"CASE {' '.join(branches)} ELSE {last} END"


def star_of(rating: float) -> int:
    """What ``star_case`` computes, in Python."""
    return next((star for star, _low, high in STAR_RANGES if high is not None and rating < high), STAR_RANGES[-1][0])


def star_count_columns() -> str:
    """``SUM(...)`` per star, using the same half-up buckets as the Elasticsearch range agg."""
    columns = []
    for _star, low, high in STAR_RANGES:
        bounds = []
        if low is not None:
            bounds.append(f"d.rating >= {float(low)!r}")
        if high is not None:
            bounds.append(f"d.rating < {float(high)!r}")
        columns.append(f"SUM(CASE WHEN {' AND '.join(bounds)} THEN 1 ELSE 0 END)")
    return ", ".join(columns)
