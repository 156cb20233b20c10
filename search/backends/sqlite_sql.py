"""SQL text for ``SQLiteReviewStore`` searches, built from typed values only.

Every value travels as a ``?`` parameter; only fixed column names and placeholders are pasted
into the SQL text, so no filter value can change the statement. User query text reaches FTS5
only as the quoted expression from ``search.query_text``. Reads no settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Sequence

from search.backends.base import SearchQuery
from search.backends.records import utc_key
from search.backends.snippets import ELLIPSIS, MARK_END, MARK_START, SNIPPET_WORDS
from search.queries import STAR_RANGES
from search.query_text import ParsedQuery, render_fts5, render_fts5_excluded


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


def document_filters(query: SearchQuery) -> Where:
    where = Where()
    where.add_in("d.entity_id", query.entity_ids)
    where.add_in("d.kind", query.kinds)
    where.add_in("d.source", query.sources)
    where.add_in("d.language", query.languages)
    where.add_in("d.sentiment_label", query.sentiment_labels)
    if query.min_rating is not None:
        where.add("d.rating >= ?", query.min_rating)
    if query.max_rating is not None:
        where.add("d.rating <= ?", query.max_rating)
    where.add_window("d.published_at", query.since, query.until)
    return where


DATE_ORDER = "d.published_at DESC NULLS LAST, d.doc_id ASC"


def search_statements(query: SearchQuery, parsed: ParsedQuery) -> tuple[str, list[Any], str, list[Any]]:
    """(page SQL, page params, count SQL, count params) for a search."""
    where = document_filters(query)
    excluded = render_fts5_excluded(parsed)
    if excluded:
        where.add("d.id NOT IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)", excluded)
    positive = render_fts5(parsed)
    if positive:
        source = "documents_fts JOIN documents d ON d.id = documents_fts.rowid"
        where.conditions.insert(0, "documents_fts MATCH ?")
        where.params.insert(0, positive)
        columns = "d.kind, d.record, -bm25(documents_fts, 2.0, 1.0) AS score, snippet(documents_fts, -1, ?, ?, ?, ?)"
        column_params: list[Any] = [MARK_START, MARK_END, ELLIPSIS, SNIPPET_WORDS]
    else:
        source = "documents d"
        columns, column_params = "d.kind, d.record, NULL AS score, NULL", []
    order = ("score DESC, " if positive and query.sort == "relevance" else "") + DATE_ORDER
    page_sql = f"SELECT {columns} FROM {source} WHERE {where.sql()} ORDER BY {order} LIMIT ? OFFSET ?"
    page_params = column_params + where.params + [query.limit, query.offset]
    count_sql = f"SELECT COUNT(*) FROM {source} WHERE {where.sql()}"
    return page_sql, page_params, count_sql, list(where.params)


def rated_reviews(entity_ids: Sequence[str], since: datetime | None, until: datetime | None) -> Where:
    where = Where()
    where.add("d.kind = 'review'")
    where.add("d.rating IS NOT NULL")
    where.add_in("d.entity_id", entity_ids)
    where.add_window("d.published_at", since, until)
    return where


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
