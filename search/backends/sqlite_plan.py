"""The SQL of one SQLite search: count, page, snippets and the hits to count facets on, each
planned for speed at 1M rows.

SQLite runs the statements the way they are written, so the shape matters more than on a
cluster. What each statement does, and why:

- **Matching ids from the documents side** (``d.id IN (SELECT rowid FROM documents_fts WHERE
  documents_fts MATCH ?)``): SQLite builds the set of matching row ids once, then walks a
  documents index (entity, date). Used to count hits under an entity filter and for date
  order (the date index gives the newest first without sorting every match).
- **A prefix alone** (``recomm*``) is scored as Lucene scores multi-term queries, and so as
  Elasticsearch does here: a constant per field that holds it (title 2, text 1, summed), not
  ``bm25`` (a prefix can expand to thousands of words; scoring 200,000 matches of "recomm*"
  took 170 ms at 1M rows). The page is then the first matches by row id of each score band
  (title and text, title only, text only), each read in rowid order with a ``LIMIT``, so the
  full-text index stops at the page's end: about 30 ms, most of it expanding the prefix.
- **Relevance** otherwise needs FTS5's ``bm25``, which only the full-text side computes, and costs about
  a microsecond per row: the price of a search is the number of rows it scores. Without
  filters it runs on ``documents_fts`` alone (no join); with filters the matches drive a
  ``CROSS JOIN`` to the documents and only rows that pass the filters are scored, counted in
  the same pass (a window count) instead of a second one. FTS5's ``ORDER BY rank`` scores every
  row too, and was slower here.
- **Broad filters** (language, rating, dates) are checked on the matches against the
  ``documents_columns`` index (every filter column by id: narrow entries instead of the wide
  rows that hold the record JSON; twice as fast at 1M rows); **an entity filter** goes the
  other way: the business's document ids come from the entity index and filter the matches
  (10x faster for one business at 1M rows).
- **Order and pages**: relevance is ``score DESC, rowid ASC``, date ``published_at DESC NULLS
  LAST, doc_id ASC``; a page starts strictly after the cursor's key (keyset), never at an
  ``OFFSET`` over earlier pages, so page 10,000 costs what page 2 costs.
- **Snippets and records** are read for the page's rows only, after the page is chosen.
- **Facets** are counted on ``hits()`` by ``sqlite_facets`` in one pass, whatever the number of
  facets asked for, on a helper thread's connection while this one scores the page
  (``sqlite_documents.run_search``). Scoring itself was not split across threads: two halves
  of a bm25 pass took as long side by side as the whole pass alone.

Every value is a ``?`` parameter; user text reaches FTS5 only as the quoted expression from
``search.query_text``. Reads no settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from search.backends.base import SearchQuery
from search.backends.snippets import ELLIPSIS, MARK_END, MARK_START, SNIPPET_WORDS
from search.backends.sqlite_sql import COLUMNS_INDEX, Where, _placeholders, document_filters
from search.query_text import ParsedQuery, render_fts5, render_fts5_excluded

SELECTIVE_ENTITIES = 50  # an entity filter this small goes through the entity index
MANY_HITS = 5000  # above this, a date-ordered page walks the date index instead of sorting the hits
SCORE = "-bm25(documents_fts, 2.0, 1.0)"  # higher is better; the title weighs twice the text
MATCHING = "SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?"
RELEVANCE_ORDER = "score DESC, k2 ASC"
# CROSS JOIN keeps this order: SQLite would otherwise sometimes drive from documents and run
# the full-text match once per document (seconds instead of tenths at 1M rows).
# The filter columns are read from the narrow covering index by id, not from the wide rows.
FTS_FIRST = f"documents_fts CROSS JOIN documents d INDEXED BY {COLUMNS_INDEX} ON d.id = documents_fts.rowid"
DATE_ORDER = "k1 DESC NULLS LAST, k2 ASC"


@dataclass
class SearchPlan:
    """``filters``: document filters; ``positive``/``excluded``: FTS5 expressions ("" for none)."""

    filters: Where
    positive: str
    excluded: str
    by_relevance: bool
    selective: bool = False  # an entity filter: few documents, reached through the entity index
    lone_prefix: bool = False  # the text is one prefix word alone: scored per field, not by bm25

    @property
    def scores_every_hit(self) -> bool:
        """Relevance order by ``bm25``: every hit is scored before the page is known."""
        return self.by_relevance and not self.lone_prefix

    @property
    def has_filters(self) -> bool:
        return bool(self.filters.conditions)

    def _documents_where(self, matching: bool = True) -> Where:
        """The filters, the exclusion and (when ``matching``) membership in the matching ids."""
        where = Where(list(self.filters.conditions), list(self.filters.params))
        if self.excluded:
            where.add(f"d.id NOT IN ({MATCHING})", self.excluded)
        if self.positive and matching:
            where.add(f"d.id IN ({MATCHING})", self.positive)
        return where

    @property
    def has_prefix(self) -> bool:
        """The text has a ``prefix*`` term (words never hold ``*``: it can only be FTS5's prefix mark)."""
        return "*" in self.positive

    def hits(self) -> tuple[str, list[Any]]:
        """Ids of every hit (column ``id``), each once, from the side that suits the search (unordered)."""
        if self.positive and not self.has_filters:
            return self._fts_only("documents_fts.rowid AS id")
        if self.positive and not self.selective:  # broad filters: the matches drive, in text order
            where = self._documents_where(matching=False)
            return (f"SELECT documents_fts.rowid AS id FROM {FTS_FIRST} WHERE documents_fts MATCH ? AND {where.sql()}",
                    [self.positive] + where.params)
        where = self._documents_where()
        return f"SELECT d.id AS id FROM documents d WHERE {where.sql()}", where.params

    def _fts_only(self, columns: str) -> tuple[str, list[Any]]:
        sql = f"SELECT {columns} FROM documents_fts WHERE documents_fts MATCH ?"
        params: list[Any] = [self.positive]
        if self.excluded:
            sql += f" AND documents_fts.rowid NOT IN ({MATCHING})"
            params.append(self.excluded)
        return sql, params

    def count(self, cap: int) -> tuple[str, list[Any]]:
        """Hits counted up to ``cap + 1``: one more than the cap says "more than cap"."""
        hits, params = self.hits()
        return f"SELECT COUNT(*) FROM ({hits} LIMIT ?)", params + [cap + 1]

    def page(self, after: list[Any] | None, limit: int, offset: int, hits: int = 0,
             with_total: bool = False) -> tuple[str, list[Any]]:
        """``(row_id, score, k1, k2)`` of one page, ``(k1, k2)`` or ``(score, k2)`` being its sort key.

        :param hits: how many hits the count found; many hits in date order walk the date index
            (the newest documents come first, the walk stops at the page's end), few are sorted.
        :param with_total: add a fifth column, the number of hits before the cursor and offset
            (relevance order only: every hit is scored anyway, so counting them costs nothing more).
        """
        if self.by_relevance and self.lone_prefix:
            return self._constant_page(after, limit, offset)
        if self.by_relevance:
            inner, params = self._scored()
            order = RELEVANCE_ORDER
        else:
            where = self._documents_where()
            walk = " INDEXED BY documents_by_date_id" if hits > MANY_HITS and not self.selective else ""
            inner = (f"SELECT d.id AS row_id, NULL AS score, d.published_at AS k1, d.doc_id AS k2 FROM documents d{walk}"
                     f" WHERE {where.sql()}")
            params, order = where.params, DATE_ORDER
        keyset, keyset_params = keyset_condition(after, self.by_relevance)
        columns = "row_id, score, k1, k2"
        if with_total:
            inner, columns = f"SELECT *, COUNT(*) OVER () AS hits FROM ({inner})", columns + ", hits"
        sql = f"SELECT {columns} FROM ({inner}) WHERE {keyset} ORDER BY {order} LIMIT ? OFFSET ?"
        return sql, params + keyset_params + [limit, offset]

    def _scored(self) -> tuple[str, list[Any]]:
        """Every hit with its score; ``bm25`` is evaluated only for rows that pass the filters."""
        columns = f"documents_fts.rowid AS row_id, {SCORE} AS score, NULL AS k1, documents_fts.rowid AS k2"
        if not self.has_filters:
            return self._fts_only(columns)
        return self._matching(columns, self.positive)

    def _matching(self, columns: str, expression: str) -> tuple[str, list[Any]]:
        """``columns`` of the rows that match the FTS5 ``expression`` and pass the filters."""
        where = self._documents_where(matching=False)  # the full-text side matches itself
        if self.selective:  # few documents: their ids, found by index, filter the matches ("+": not pushed to FTS5)
            return (f"SELECT {columns} FROM documents_fts WHERE documents_fts MATCH ? AND +documents_fts.rowid IN"
                    f" (SELECT d.id FROM documents d WHERE {where.sql()})", [expression] + where.params)
        return (f"SELECT {columns} FROM {FTS_FIRST} WHERE documents_fts MATCH ? AND {where.sql()}",
                [expression] + where.params)

    def _constant_page(self, after: list[Any] | None, limit: int, offset: int) -> tuple[str, list[Any]]:
        """A page of a lone prefix: the first rows after the cursor in each score band, by row id.

        Each band reads at most ``limit + offset`` rows in rowid order (FTS5 stops there); a band
        scored above the cursor was shown on earlier pages and is skipped.
        """
        bands, params = [], []
        for score, expression in field_bands(self.positive):
            if after is not None and score > after[0]:
                continue
            columns = f"documents_fts.rowid AS row_id, {score!r} AS score, NULL AS k1, documents_fts.rowid AS k2"
            sql, band_params = self._matching(columns, expression)
            if after is not None and score == after[0]:
                sql += " AND documents_fts.rowid > ?"
                band_params.append(after[1])
            bands.append(f"SELECT * FROM ({sql} ORDER BY documents_fts.rowid LIMIT ?)")
            params += band_params + [limit + offset]
        if not bands:
            return "SELECT NULL, NULL, NULL, NULL WHERE 0", []
        return f"{' UNION ALL '.join(bands)} ORDER BY {RELEVANCE_ORDER} LIMIT ? OFFSET ?", params + [limit, offset]

    def details(self, row_ids: list[int]) -> tuple[str, list[Any]]:
        """Kind, record and snippet of the given rows.

        ``rowid IN (...)`` makes FTS5 run the match once per id: cheap for words, but a prefix
        is expanded again each time (20 x 15 ms for "recomm*" at 1M reviews). With a prefix the
        match runs once over the ids' rowid range, and the "+" keeps the id list a plain filter.
        """
        marks = _placeholders(row_ids)
        if not self.positive:
            return f"SELECT d.id, d.kind, d.record, NULL FROM documents d WHERE d.id IN ({marks})", list(row_ids)
        select = ("SELECT d.id, d.kind, d.record, snippet(documents_fts, -1, ?, ?, ?, ?) FROM documents_fts"
                  " JOIN documents d ON d.id = documents_fts.rowid WHERE documents_fts MATCH ?")
        params = [MARK_START, MARK_END, ELLIPSIS, SNIPPET_WORDS, self.positive]
        if self.has_prefix:
            return (f"{select} AND documents_fts.rowid BETWEEN ? AND ? AND +documents_fts.rowid IN ({marks})",
                    params + [min(row_ids), max(row_ids)] + list(row_ids))
        return f"{select} AND documents_fts.rowid IN ({marks})", params + list(row_ids)


def search_plan(query: SearchQuery, parsed: ParsedQuery) -> SearchPlan:
    positive = render_fts5(parsed)
    return SearchPlan(document_filters(query), positive, render_fts5_excluded(parsed),
                      by_relevance=bool(positive) and query.sort == "relevance",
                      selective=query.entity_ids is not None and len(query.entity_ids) <= SELECTIVE_ENTITIES,
                      lone_prefix=is_lone_prefix(parsed))


def is_lone_prefix(parsed: ParsedQuery) -> bool:
    """The positive text is one ``prefix*`` word and nothing else (exclusions allowed)."""
    if len(parsed.clauses) != 1 or len(parsed.clauses[0]) != 1:
        return False
    term = parsed.clauses[0][0]
    return term.prefix and len(term.words) == 1


def field_bands(term: str) -> list[tuple[float, str]]:
    """The score bands of a lone prefix ``term`` (FTS5 text) and the FTS5 expression of each.

    The scores are ``SCORE``'s field weights summed over the fields that hold the term, as
    Elasticsearch sums its field boosts for a constant-score prefix query.
    """
    title, text = f"{{title}} : {term}", f"{{text}} : {term}"
    return [(3.0, f"{title} AND {text}"), (2.0, f"{title} NOT {text}"), (1.0, f"{text} NOT {title}")]


def keyset_condition(after: list[Any] | None, by_relevance: bool) -> tuple[str, list[Any]]:
    """Rows strictly after the sort key ``after``: ``(score, rowid)`` or ``(published, doc_id)``."""
    if after is None:
        return "1", []
    first, second = after
    if by_relevance:
        return "(score < ? OR (score = ? AND k2 > ?))", [first, first, second]
    if first is None:
        return "(k1 IS NULL AND k2 > ?)", [second]
    return "(k1 < ? OR k1 IS NULL OR (k1 = ? AND k2 > ?))", [first, first, second]
