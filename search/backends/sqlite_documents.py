"""Writing and searching reviews and mentions in SQLite: the document half of ``SQLiteReviewStore``.

A document is one ``documents`` row (typed columns for filters, the record as JSON), one
``documents_fts`` row (title and text), one ``document_tags`` row per aspect and flag and one
``document_facets`` row (its facet codes, ``sqlite_facets``).

A search runs as: count (capped at ``exact_total_up_to``), page of row ids by keyset, then
records and snippets of those rows only. The facets asked for are counted in one pass over the
hits, on a second connection at the same time when the store lends one, and the total is then
the number they were counted on (statements in ``sqlite_plan``, facet counting in
``sqlite_facets``). The page asks one row more than the limit; that row only says a next page
exists, and the cursor is the sort key of the last row shown. Reads no settings.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any, Callable, Sequence

from search.backends.base import QueryError, SearchHit, SearchPage, SearchQuery
from search.backends.records import DOCUMENT_MODELS, aspect_scores, utc_key
from search.backends.snippets import marked_to_html
from search.backends.sqlite_driver import sqlite3
from search.backends.sqlite_facets import FacetCodes, FacetCounter
from search.backends.sqlite_plan import SearchPlan, search_plan
from search.backends.sqlite_totals import Counted, TotalsChange
from search.cursors import decode_cursor, encode_cursor
from search.documents import Mention, Review
from search.facets import star_counts, top_values
from search.queries import check_search_query
from search.query_text import parse_query_text

BACKEND = "sqlite"
# Runs a function of a connection on another thread, with that thread's own connection.
Beside = Callable[[Callable[[sqlite3.Connection], Any]], Future]
COLUMNS = ("kind", "entity_id", "source", "language", "sentiment_label", "rating", "published_at", "record",
           "sentiment_score", "authenticity_weight")


def write_documents(connection: sqlite3.Connection, records: Sequence[Review | Mention]) -> tuple[int, int]:
    """Write records inside the caller's transaction; ``(created, updated)``.

    Facet codes are looked up once per batch and the review totals change once per batch.
    """
    codes, totals = FacetCodes(), TotalsChange()
    created = sum(write_document(connection, record, codes, totals) for record in records)
    totals.apply(connection)
    return created, len(records) - created


def write_document(connection: sqlite3.Connection, record: Review | Mention, codes: FacetCodes,
                   totals: TotalsChange) -> bool:
    """Insert or replace one document, its FTS row, tags and facet codes, and record how the
    review totals change; True when it was new. Only ``write_documents`` calls it."""
    rating, weight = getattr(record, "rating", None), getattr(record, "authenticity_weight", None)
    values = (
        record.kind, record.entity_id, record.source, record.language, record.sentiment_label,
        rating, utc_key(record.published_at), record.model_dump_json(), record.sentiment_score, weight,
    )
    row = connection.execute("SELECT id, kind, entity_id, rating, authenticity_weight FROM documents WHERE doc_id = ?",
                             (record.doc_id,)).fetchone()
    totals.record(None if row is None else Counted(*row[1:]), Counted(record.kind, record.entity_id, rating, weight))
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
    codes.write(connection, row_id, record)
    return row is None


def run_search(connection: sqlite3.Connection, query: SearchQuery, facets: FacetCounter,
               beside: Beside | None = None) -> SearchPage:
    """Run a checked search on an open connection; see the module docstring for the steps.

    :param facets: the store's facet counter (it caches facet values between searches).
    :param beside: runs work on another thread's connection; when given, facets are counted
        there while this connection scores the page (the two cost about the same on a
        100,000-hit search, so two cores answer in about half the time).
    """
    check_search_query(query)
    plan = search_plan(query, parse_query_text(query.text))
    after = decode_cursor(BACKEND, query, 2)
    _check_key_types(after, plan.by_relevance)
    counting = _start_facets(connection, plan, query, facets, beside)
    counted, rows = _count_and_page(connection, plan, query, after)
    shown = rows[: query.limit]
    cursor = None
    if len(rows) > query.limit and shown:
        _row_id, score, first, second = shown[-1]
        cursor = encode_cursor(BACKEND, query, [score if plan.by_relevance else first, second])
    hits = _hits(connection, plan, shown)
    facet_counts, facet_hits = counting.result()
    if facet_hits is not None:  # the total the facets were counted on, so the two agree
        counted = facet_hits
    return SearchPage(
        total=min(counted, query.exact_total_up_to), hits=hits, facets=facet_counts, next_cursor=cursor,
        total_exact=counted <= query.exact_total_up_to,
    )


def _count_and_page(connection: sqlite3.Connection, plan: SearchPlan, query: SearchQuery,
                    after: list[Any] | None) -> tuple[int, list[Any]]:
    """The hit count (capped at ``exact_total_up_to + 1``, or exact) and the page's rows.

    Scored under filters, one pass gives both: the filtered matches are counted while they are
    scored (a window count), where a separate count would check every match against the
    filters a second time. A page past the last hit has no row to carry the count: then it is
    counted on its own.
    """
    count_sql, count_params = plan.count(query.exact_total_up_to)
    if query.limit and plan.scores_every_hit and plan.has_filters:
        page_sql, page_params = plan.page(after, query.limit + 1, query.offset, with_total=True)
        rows = connection.execute(page_sql, page_params).fetchall()
        if rows:
            return rows[0][-1], [row[:-1] for row in rows]
        return connection.execute(count_sql, count_params).fetchone()[0], []
    counted = connection.execute(count_sql, count_params).fetchone()[0]
    if not query.limit:
        return counted, []
    page_sql, page_params = plan.page(after, query.limit + 1, query.offset, hits=counted)
    return counted, connection.execute(page_sql, page_params).fetchall()


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


def _start_facets(connection: sqlite3.Connection, plan: SearchPlan, query: SearchQuery, counter: FacetCounter,
                  beside: Beside | None) -> Future:
    """Count the facets asked for, on another connection when ``beside`` is given and a page is
    wanted too; the future holds ``(facets, hits counted)`` (``({}, None)`` without facets)."""
    wanted = list(dict.fromkeys(query.facets))
    if not wanted:
        return _done(({}, None))
    hits_sql, params = plan.hits()

    def count(on: sqlite3.Connection) -> tuple[dict[str, dict[str, int]], int]:
        counts, matched = counter.count(on, hits_sql, params, wanted)
        return ({name: star_counts(counts[name]) if name == "stars" else top_values(counts[name])
                 for name in wanted}, matched)

    if beside is None or not query.limit:
        return _done(count(connection))
    return beside(count)


def _done(result: Any) -> Future:
    future: Future = Future()
    future.set_result(result)
    return future


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
