"""Facet counts on SQLite: every facet of every hit in one narrow pass.

Counting facets means visiting every hit, which is what made them slow: 100,000 hits meant
100,000 reads of wide ``documents`` rows (the record JSON lives there) for five columns, and
100,000 more of ``document_tags`` for aspects and flags. Here each document has one short row in
``document_facets``: the codes of its facet values, e.g. ``"812 3 17"``, where a code stands for
one value of ``facet_values``:

- ``document``: the document's scalar facets together, as a JSON array ``[kind, entity_id,
  source, language, sentiment_label, star]`` (``star`` is null when unrated). One code for the
  combination: a few thousand combinations cover a million documents, and one token per hit is
  all there is to count;
- ``aspects`` / ``flags``: one code per tag.

A search's facets are then one statement (the hits joined to ``document_facets`` by id, the codes
concatenated by ``group_concat``) and one ``collections.Counter`` over the codes in Python;
decoding touches each distinct code once, from a per-store cache (codes are never reassigned: a
value keeps its code for the life of the file). Counts are exact.

Codes are written with the document (``FacetCodes``, same transaction) and back-filled by schema
migration 3 (``MIGRATION``); deleting a document deletes its row (``sqlite_schema``'s cascade).
Reads no settings.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections import Counter
from typing import Any, Sequence

from search.backends.records import aspect_scores
from search.backends.sqlite_sql import star_case, star_of
from search.documents import Mention, Review

COMBINED = "document"  # facet_values.facet of the scalar combination
SCALAR_FACETS = ("kind", "entity_id", "source", "language", "sentiment_label", "stars")
STAR_OR_NULL = "CASE WHEN {r} IS NULL THEN NULL ELSE " + star_case("{r}") + " END"
COMBINATION = ("json_array(d.kind, d.entity_id, d.source, d.language, d.sentiment_label, "
               + STAR_OR_NULL.format(r="d.rating") + ")")

MIGRATION: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS facet_values (code INTEGER PRIMARY KEY, facet TEXT NOT NULL, value TEXT NOT NULL,"
    " UNIQUE (facet, value))",
    "CREATE TABLE IF NOT EXISTS document_facets (id INTEGER PRIMARY KEY, codes TEXT NOT NULL)",
    f"INSERT OR IGNORE INTO facet_values (facet, value) SELECT DISTINCT '{COMBINED}', {COMBINATION} FROM documents d",
    "INSERT OR IGNORE INTO facet_values (facet, value) SELECT DISTINCT field, value FROM document_tags",
    "DELETE FROM document_facets",
    f"INSERT INTO document_facets (id, codes) SELECT d.id, (SELECT v.code FROM facet_values v"
    f" WHERE v.facet = '{COMBINED}' AND v.value = {COMBINATION}) || COALESCE((SELECT ' ' || group_concat(v.code, ' ')"
    " FROM document_tags t JOIN facet_values v ON v.facet = t.field AND v.value = t.value WHERE t.doc = d.id), '')"
    " FROM documents d",
)


class FacetCodes:
    """Writes documents' facet codes, looking each value up (or creating it) once per transaction.

    Valid inside one write transaction only: a code created by a transaction that rolls back is
    gone, and SQLite may give its number to another value later. ``upsert_reviews`` makes one
    per call, so a batch of 20,000 reviews looks up a few hundred values, not 60,000.
    """

    def __init__(self) -> None:
        self._known: dict[tuple, int] = {}

    def write(self, connection: sqlite3.Connection, row_id: int, record: Review | Mention) -> None:
        """Store the facet codes of one document (inside the caller's write transaction)."""
        rating = getattr(record, "rating", None)
        combination = (record.kind, record.entity_id, record.source, record.language, record.sentiment_label, rating)
        codes = [self._code(connection, COMBINED, combination)]
        tags = [("aspects", aspect) for aspect, _score in aspect_scores(record)]
        tags += [("flags", flag) for flag in dict.fromkeys(record.flags)]
        codes += [self._code(connection, field, value) for field, value in tags]
        connection.execute("INSERT OR REPLACE INTO document_facets (id, codes) VALUES (?, ?)",
                           (row_id, " ".join(map(str, codes))))

    def _code(self, connection: sqlite3.Connection, facet: str, value: Any) -> int:
        """The code of a facet value, created on first sight. The combination's JSON text is made
        by SQLite (``json_array``) exactly as the migration made it, so one combination has one code."""
        if facet == COMBINED:
            *scalars, rating = value
            key: tuple = (facet, *scalars, None if rating is None else star_of(rating))
        else:
            key = (facet, value)
        code = self._known.get(key)
        if code is None:
            code = self._known[key] = _stored_code(connection, facet, value)
        return code


def _stored_code(connection: sqlite3.Connection, facet: str, value: Any) -> int:
    params: dict[str, Any] = {"facet": facet}
    if facet == COMBINED:
        params.update(zip(("kind", "entity", "source", "language", "sentiment", "r"), value))
        text_sql = ("json_array(:kind, :entity, :source, :language, :sentiment, "
                    + STAR_OR_NULL.format(r=":r") + ")")
    else:
        text_sql, params["value"] = ":value", value
    row = connection.execute(f"SELECT code FROM facet_values WHERE facet = :facet AND value = {text_sql}",
                             params).fetchone()
    if row is not None:
        return row[0]
    return connection.execute(f"INSERT INTO facet_values (facet, value) VALUES (:facet, {text_sql}) RETURNING code",
                              params).fetchone()[0]


class FacetCounter:
    """Counts the facets of a search's hits; holds the code -> values cache of one store.

    Each (facet, value) pair seen gets a slot number; a code maps to the slots it counts for, so
    adding up ten thousand distinct codes is list arithmetic, not dictionary work on tuples.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.forget()

    def forget(self) -> None:
        """Drop the cache (the store closed: its file may be replaced before it reopens)."""
        with self._lock:
            self._pid = os.getpid()  # a forked child opens the path again: maybe another file
            self._slots_of_code: dict[str, tuple[int, ...]] = {}
            self._slot_of_pair: dict[tuple[str, str], int] = {}
            self._pairs: list[tuple[str, str]] = []

    def count(self, connection: sqlite3.Connection, hits_sql: str, params: Sequence[Any],
              wanted: Sequence[str]) -> dict[str, Counter]:
        """``{facet: Counter(value -> hits)}`` for the facets in ``wanted``.

        :param hits_sql: a statement returning one ``id`` column, the document id of each hit
            (each hit once).
        """
        sql = (f"SELECT group_concat(f.codes, ' ') FROM ({hits_sql}) AS hits"
               " CROSS JOIN document_facets f ON f.id = hits.id")
        joined = connection.execute(sql, list(params)).fetchone()[0]
        counts: dict[str, Counter] = {name: Counter() for name in wanted}
        if not joined:
            return counts
        tokens = Counter(joined.split(" "))
        if self._pid != os.getpid():
            self.forget()
        slots_of_code, pairs = self._slots(connection, tokens)  # holds every token: codes are never removed
        totals = [0] * len(pairs)
        for token, hits in tokens.items():
            for slot in slots_of_code[token]:
                totals[slot] += hits
        for (facet, value), hits in zip(pairs, totals):
            if hits and facet in counts:
                counts[facet][value] = hits
        return counts

    def _slots(self, connection: sqlite3.Connection, tokens: Counter
               ) -> tuple[dict[str, tuple[int, ...]], list[tuple[str, str]]]:
        """The slots of every token and the pair of every slot (read once per new code)."""
        with self._lock:
            missing = [int(token) for token in tokens if token not in self._slots_of_code]
            if missing:
                rows = connection.execute(
                    "SELECT code, facet, value FROM facet_values WHERE code IN (SELECT value FROM json_each(?))",
                    (json.dumps(missing),)).fetchall()
                for code, facet, value in rows:
                    self._slots_of_code[str(code)] = tuple(self._slot(pair) for pair in _pairs(facet, value))
            return self._slots_of_code, list(self._pairs)

    def _slot(self, pair: tuple[str, str]) -> int:
        slot = self._slot_of_pair.get(pair)
        if slot is None:
            slot = self._slot_of_pair[pair] = len(self._pairs)
            self._pairs.append(pair)
        return slot


def _pairs(facet: str, value: str) -> list[tuple[str, str]]:
    """What one code counts for: six scalar facets for a combination (nulls left out), else itself."""
    if facet != COMBINED:
        return [(facet, value)]
    return [(name, str(scalar)) for name, scalar in zip(SCALAR_FACETS, json.loads(value)) if scalar is not None]
