"""Writing and searching reviews and mentions in SQLite: the document half of ``SQLiteReviewStore``.

A document is one ``documents`` row (typed columns for filters, the record as JSON), one
``documents_fts`` row (title and text) and one ``document_tags`` row per aspect and flag.

A search runs as: count (capped at ``exact_total_up_to``), page of row ids by keyset, then
records and snippets of those rows only, then the facets asked for (statements in
``sqlite_plan``). The page asks one row more than the limit; that row only says a next page
exists, and the cursor is the sort key of the last row shown. Reads no settings.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from typing import Any

from search.backends.base import QueryError, SearchHit, SearchPage, SearchQuery
from search.backends.records import DOCUMENT_MODELS, aspect_scores, utc_key
from search.backends.snippets import marked_to_html
from search.backends.sqlite_plan import FACET_COLUMNS, SearchPlan, search_plan
from search.cursors import decode_cursor, encode_cursor
from search.documents import Mention, Review
from search.facets import LIST_FACETS, star_counts, top_values
from search.queries import STAR_RANGES, check_search_query
from search.query_text import parse_query_text

BACKEND = "sqlite"
COLUMNS = ("kind", "entity_id", "source", "language", "sentiment_label", "rating", "published_at", "record",
           "sentiment_score", "authenticity_weight")


def write_document(connection: sqlite3.Connection, record: Review | Mention) -> bool:
    """Insert or replace one document, its FTS row and its tags; True when it was new."""
    values = (
        record.kind, record.entity_id, record.source, record.language, record.sentiment_label,
        getattr(record, "rating", None), utc_key(record.published_at), record.model_dump_json(),
        record.sentiment_score, getattr(record, "authenticity_weight", None),
    )
    row = connection.execute("SELECT id FROM documents WHERE doc_id = ?", (record.doc_id,)).fetchone()
    if row is None:
        cursor = connection.execute(
            f"INSERT INTO documents ({', '.join(COLUMNS)}, doc_id) VALUES ({', '.join('?' * (len(COLUMNS) + 1))})",
            values + (record.doc_id,),
        )
        row_id = cursor.lastrowid
        connection.execute("INSERT INTO documents_fts (rowid, title, text) VALUES (?, ?, ?)",
                           (row_id, record.title or "", record.text or ""))
    else:
        row_id = row[0]
        assignments = ", ".join(f"{column} = ?" for column in COLUMNS)
        connection.execute(f"UPDATE documents SET {assignments} WHERE id = ?", values + (row_id,))
        connection.execute("UPDATE documents_fts SET title = ?, text = ? WHERE rowid = ?",
                           (record.title or "", record.text or "", row_id))
        connection.execute("DELETE FROM document_tags WHERE doc = ?", (row_id,))
    tags = [(row_id, "aspects", aspect, score) for aspect, score in aspect_scores(record)]
    tags += [(row_id, "flags", flag, None) for flag in dict.fromkeys(record.flags)]
    if tags:
        connection.executemany("INSERT INTO document_tags (doc, field, value, score) VALUES (?, ?, ?, ?)", tags)
    return row is None


def run_search(connection: sqlite3.Connection, query: SearchQuery) -> SearchPage:
    """Run a checked search on an open connection; see the module docstring for the steps."""
    check_search_query(query)
    plan = search_plan(query, parse_query_text(query.text))
    after = decode_cursor(BACKEND, query, 2)
    _check_key_types(after, plan.by_relevance)
    count_sql, count_params = plan.count(query.exact_total_up_to)
    counted = connection.execute(count_sql, count_params).fetchone()[0]
    rows: list[Any] = []
    if query.limit:
        page_sql, page_params = plan.page(after, query.limit + 1, query.offset, hits=counted)
        rows = connection.execute(page_sql, page_params).fetchall()
    shown = rows[: query.limit]
    cursor = None
    if len(rows) > query.limit and shown:
        _row_id, score, first, second = shown[-1]
        cursor = encode_cursor(BACKEND, query, [score if plan.by_relevance else first, second])
    return SearchPage(
        total=min(counted, query.exact_total_up_to), hits=_hits(connection, plan, shown),
        facets=_facets(connection, plan, query), next_cursor=cursor,
        total_exact=counted <= query.exact_total_up_to,
    )


def _hits(connection: sqlite3.Connection, plan: SearchPlan, shown: list[Any]) -> list[SearchHit]:
    if not shown:
        return []
    sql, params = plan.details([row[0] for row in shown])
    details = {row_id: (kind, record, snippet) for row_id, kind, record, snippet in connection.execute(sql, params)}
    hits = []
    for row_id, score, _published, _doc_id in shown:
        kind, record_json, snippet = details[row_id]
        hits.append(SearchHit(document=DOCUMENT_MODELS[kind].model_validate_json(record_json), score=score,
                              snippet=marked_to_html(snippet) if snippet else None))
    return hits


def _facets(connection: sqlite3.Connection, plan: SearchPlan, query: SearchQuery) -> dict[str, dict[str, int]]:
    wanted = list(dict.fromkeys(query.facets))
    counts: dict[str, Counter] = {name: Counter() for name in wanted}
    columns = [name for name in FACET_COLUMNS if name in wanted]
    if columns or "stars" in wanted:
        sql, params = plan.facet_columns()
        positions = {name: position for position, name in enumerate(FACET_COLUMNS)}
        for row in connection.execute(sql, params):
            for name in columns:
                if row[positions[name]] is not None:
                    counts[name][str(row[positions[name]])] += 1
            if "stars" in wanted and row[-1] is not None:
                counts["stars"][star_of(row[-1])] += 1
    tags = [name for name in LIST_FACETS if name in wanted]
    if tags:
        sql, params = plan.facet_tags(tags)
        for field, value, count in connection.execute(sql, params):
            counts[field][value] = count
    return {name: star_counts(counts[name]) if name == "stars" else top_values(counts[name]) for name in wanted}


def star_of(rating: float) -> str:
    """The star a rating counts under, as in ``search.queries.STAR_RANGES`` (half up; 0 counts as 1)."""
    for star, low, high in STAR_RANGES:
        if (low is None or rating >= low) and (high is None or rating < high):
            return str(star)
    return "5"


def _check_key_types(after: list[Any] | None, by_relevance: bool) -> None:
    """A cursor key is (score, row id) or (published text or None, doc_id); anything else is damage."""
    if after is None:
        return
    first, second = after
    if by_relevance:
        valid = isinstance(first, (int, float)) and isinstance(second, int)
    else:
        valid = isinstance(first, (str, type(None))) and isinstance(second, str)
    if not valid:
        raise QueryError("this cursor is damaged; start the search again without a cursor")
