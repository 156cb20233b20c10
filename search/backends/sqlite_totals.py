"""Per-entity review totals kept up to date on every write, for all-time comparison figures.

A comparison shows, next to its window, every entity's all-time count, average and star
distribution. Summing a million reviews for that on each comparison costs seconds (one index
entry at a time); ``review_totals`` holds the sums instead: one row per (entity, star) with the
count, the rating sum and the authenticity sums ``search.figures`` needs (weighted rating, weight,
how many reviews carry a weight).

They change in the same transaction as the documents they sum: the document write path
(``sqlite_documents.write_documents``, the only code that inserts or updates documents) records
the old and new values of each review in a ``TotalsChange``, which takes the old one off and
adds the new one, nothing when the entity, kind, rating and weight are unchanged (a re-crawled
review), and writes the net change of the batch at its end. Deletions, which no store method
makes yet, are covered whoever makes them: a trigger takes the deleted review off. (Inserts and
updates are not triggers: even an empty insert trigger on ``documents`` cost 50 % more CPU per
review written, measured at 20,000 reviews.) A bucket
that empties is reset to exact zeros, so rounding never leaves dust behind. Figures "before
``until``" are the totals minus the few reviews published at or after ``until`` (none when
``until`` is now), read from the ``documents_ratings`` index.

Reads no settings. Created by schema migration 3 (``sqlite_schema``), which back-fills it.
"""

from __future__ import annotations

from typing import Iterator, NamedTuple

from search.backends.sqlite_driver import sqlite3
from search.backends.sqlite_sql import star_case, star_of


class Counted(NamedTuple):
    """What a document adds to the totals: its kind, entity, rating and authenticity weight."""

    kind: str
    entity_id: str
    rating: float | None
    weight: float | None

    @property
    def counts(self) -> bool:
        return self.kind == "review" and self.rating is not None


# A batch's net change to one bucket. A bucket that reaches zero reviews gets exact zeros rather
# than the rounding left by x + r - r (TAKE, for the delete trigger, does the same).
APPLY = ("INSERT INTO review_totals (entity_id, star, reviews, rating_sum, weighted_sum, weight_sum, weighted)"
         " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (entity_id, star) DO UPDATE SET"
         " rating_sum = CASE WHEN reviews + excluded.reviews = 0 THEN 0.0 ELSE rating_sum + excluded.rating_sum END,"
         " weighted_sum = CASE WHEN reviews + excluded.reviews = 0 THEN 0.0"
         " ELSE weighted_sum + excluded.weighted_sum END,"
         " weight_sum = CASE WHEN reviews + excluded.reviews = 0 THEN 0.0 ELSE weight_sum + excluded.weight_sum END,"
         " weighted = weighted + excluded.weighted, reviews = reviews + excluded.reviews")
TAKE = """UPDATE review_totals SET
    rating_sum = CASE WHEN reviews = 1 THEN 0.0 ELSE rating_sum - {r} END,
    weighted_sum = CASE WHEN reviews = 1 THEN 0.0 ELSE weighted_sum - {r} * COALESCE({w}, 1.0) END,
    weight_sum = CASE WHEN reviews = 1 THEN 0.0 ELSE weight_sum - COALESCE({w}, 1.0) END,
    weighted = weighted - ({w} IS NOT NULL),
    reviews = reviews - 1
WHERE entity_id = {e} AND star = {star}"""

MIGRATION: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS review_totals (entity_id TEXT NOT NULL, star INTEGER NOT NULL,"
    " reviews INTEGER NOT NULL, rating_sum REAL NOT NULL, weighted_sum REAL NOT NULL, weight_sum REAL NOT NULL,"
    " weighted INTEGER NOT NULL, PRIMARY KEY (entity_id, star)) WITHOUT ROWID",
    "DELETE FROM review_totals",
    f"INSERT INTO review_totals (entity_id, star, reviews, rating_sum, weighted_sum, weight_sum, weighted)"
    f" SELECT entity_id, {star_case('rating')}, COUNT(*), SUM(rating),"
    " SUM(rating * COALESCE(authenticity_weight, 1.0)), SUM(COALESCE(authenticity_weight, 1.0)),"
    " COUNT(authenticity_weight) FROM documents"
    " WHERE kind = 'review' AND rating IS NOT NULL GROUP BY 1, 2",
    "CREATE TRIGGER IF NOT EXISTS review_totals_delete AFTER DELETE ON documents"
    " WHEN old.kind = 'review' AND old.rating IS NOT NULL BEGIN "
    + TAKE.format(r="old.rating", w="old.authenticity_weight", e="old.entity_id", star=star_case("old.rating"))
    + "; END",
)


class TotalsChange:
    """The net change a batch of writes makes to the totals, applied once at its end.

    A batch of 20,000 reviews touches a few thousand (entity, star) buckets: one statement per
    bucket instead of one per review.
    """

    def __init__(self) -> None:
        self._buckets: dict[tuple[str, int], list] = {}

    def record(self, old: Counted | None, new: Counted) -> None:
        """A document moves from ``old`` (None: it is new) to ``new``."""
        if old == new:
            return
        if old is not None and old.counts:
            self._add(old, -1)
        if new.counts:
            self._add(new, 1)

    def _add(self, counted: Counted, sign: int) -> None:
        weight = 1.0 if counted.weight is None else counted.weight
        bucket = self._buckets.setdefault((counted.entity_id, star_of(counted.rating)), [0, 0.0, 0.0, 0.0, 0])
        for position, value in enumerate((1, counted.rating, counted.rating * weight, weight,
                                          int(counted.weight is not None))):
            bucket[position] += sign * value

    def apply(self, connection: sqlite3.Connection) -> None:
        """Write the net change (inside the transaction of the writes it sums)."""
        changed = [(entity_id, star, *sums) for (entity_id, star), sums in self._buckets.items() if any(sums)]
        if changed:
            connection.executemany(APPLY, changed)
        self._buckets.clear()


ENTITIES = "entity_id IN (SELECT value FROM json_each(?))"
# (entity, star, count, rating sum, weighted sum, weight sum, weighted count) per bucket
TOTALS = ("SELECT entity_id, star, reviews, rating_sum, weighted_sum, weight_sum, weighted FROM review_totals"
          f" WHERE {ENTITIES} AND reviews > 0")
FROM_UNTIL = (f"SELECT entity_id, {star_case('rating')}, COUNT(*), SUM(rating),"
              " SUM(rating * COALESCE(authenticity_weight, 1.0)), SUM(COALESCE(authenticity_weight, 1.0)),"
              " COUNT(authenticity_weight) FROM documents INDEXED BY documents_ratings"
              f" WHERE kind = 'review' AND {ENTITIES} AND published_at >= ? AND rating IS NOT NULL GROUP BY 1, 2")

Bucket = tuple[str, int, int, float, float, float, int]


def totals_before(connection: sqlite3.Connection, entities_json: str, until: str) -> Iterator[Bucket]:
    """Per (entity, star): the sums of rated reviews published before ``until`` or undated.

    The stored totals, minus the reviews published at or after ``until``.

    :param entities_json: the entity ids as a JSON array (one parameter for any number).
    :param until: ``records.utc_key`` of the end instant (exclusive).
    """
    buckets: dict[tuple[str, int], list] = {}
    for entity_id, star, *sums in connection.execute(TOTALS, (entities_json,)):
        buckets[(entity_id, star)] = sums
    for entity_id, star, *sums in connection.execute(FROM_UNTIL, (entities_json, until)):
        into = buckets.setdefault((entity_id, star), [0, 0.0, 0.0, 0.0, 0])
        for position, value in enumerate(sums):
            into[position] -= value or 0
    for (entity_id, star), (count, *rest) in buckets.items():
        if count > 0:
            yield (entity_id, star, count, *rest)
