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
concatenated by ``group_concat``) and a count of the codes in numpy (``numpy.fromstring`` reads
the text, ``numpy.bincount`` counts it: 10 ms for 370,000 codes, where ``split`` and a
``Counter`` took 60); decoding touches each distinct code once, from a per-store cache (codes are
never reassigned: a value keeps its code for the life of the file). Counts are exact.

Codes are written with the document (``FacetCodes``, same transaction) and back-filled by schema
migration 3 (``MIGRATION``); deleting a document deletes its row (``sqlite_schema``'s cascade).
Reads no settings.
"""

from __future__ import annotations

import json
import os
import threading
from collections import Counter
from typing import Any, Sequence

import numpy as np

from search.backends.records import aspect_scores
from search.backends.sqlite_driver import sqlite3
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

    Each (facet, value) pair seen gets a slot number, and the cache is kept as two parallel
    arrays, one entry per (code, slot) membership: the hits of every slot are then one weighted
    ``bincount`` over the code counts, with no Python loop over codes.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.forget()

    def forget(self) -> None:
        """Drop the cache (the store closed: its file may be replaced before it reopens)."""
        with self._lock:
            self._pid = os.getpid()  # a forked child opens the path again: maybe another file
            self._known_codes: set[int] = set()
            self._slot_of_pair: dict[tuple[str, str], int] = {}
            self._pairs: list[tuple[str, str]] = []
            self._member_codes: list[int] = []  # with _member_slots: code c counts for slot s
            self._member_slots: list[int] = []
            self._arrays = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))

    def count(self, connection: sqlite3.Connection, hits_sql: str, params: Sequence[Any],
              wanted: Sequence[str]) -> tuple[dict[str, Counter], int]:
        """``{facet: Counter(value -> hits)}`` for the facets in ``wanted``, and the number of hits
        they were counted on (from the same statement, so the two always agree).

        :param hits_sql: a statement returning one ``id`` column, the document id of each hit
            (each hit once).
        """
        sql = (f"SELECT group_concat(f.codes, ' '), COUNT(*) FROM ({hits_sql}) AS hits"
               " CROSS JOIN document_facets f ON f.id = hits.id")
        joined, matched = connection.execute(sql, list(params)).fetchone()
        counts: dict[str, Counter] = {name: Counter() for name in wanted}
        if not joined:
            return counts, matched
        code_hits = np.bincount(np.fromstring(joined, dtype=np.int64, sep=" "))
        if self._pid != os.getpid():
            self.forget()
        member_codes, member_slots, pairs = self._members(connection, np.flatnonzero(code_hits).tolist())
        code_hits = np.pad(code_hits, (0, max(0, int(member_codes.max(initial=0)) + 1 - len(code_hits))))
        totals = np.bincount(member_slots, weights=code_hits[member_codes], minlength=len(pairs))
        for slot in np.flatnonzero(totals).tolist():
            facet, value = pairs[slot]
            if facet in counts:
                counts[facet][value] = int(totals[slot])
        return counts, matched

    def _members(self, connection: sqlite3.Connection, codes: list[int]
                 ) -> tuple[np.ndarray, np.ndarray, list[tuple[str, str]]]:
        """The (code, slot) membership arrays and the pair of every slot, reading new codes once."""
        with self._lock:
            missing = [code for code in codes if code not in self._known_codes]
            if missing:
                rows = connection.execute(
                    "SELECT code, facet, value FROM facet_values WHERE code IN (SELECT value FROM json_each(?))",
                    (json.dumps(missing),)).fetchall()
                for code, facet, value in rows:
                    for pair in _pairs(facet, value):
                        self._member_codes.append(code)
                        self._member_slots.append(self._slot(pair))
                self._known_codes.update(missing)  # a code without a row (never expected) is not re-read
                self._arrays = (np.array(self._member_codes, dtype=np.int64),
                                np.array(self._member_slots, dtype=np.int64))
            return (*self._arrays, list(self._pairs))

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
