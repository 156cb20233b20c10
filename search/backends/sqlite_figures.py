"""``entity_figures`` for ``SQLiteReviewStore``: a few grouped statements, whatever the entity count.

A mixin: the store supplies ``_reading``. The entity list travels as one JSON parameter
(``IN (SELECT value FROM json_each(?))``), so a thousand entities need no thousand placeholders.
Ratings of the window and the previous window come from one range scan of a covering index;
all-time ratings from the totals SQLite maintains on every write (``sqlite_totals``), so their
cost does not grow with the number of reviews; the trend groups by a bucket expression on the
stored UTC time text (``published_at`` sorts like the instant); aspects join ``document_tags``
through its covering ``(doc, field, value, score)`` index. Buckets, star ranges and the
authenticity rule are those of ``search.figures`` and ``search.queries``, so both backends
agree. Reads no settings.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from search.backends.base import RatingStats
from search.backends.records import utc_key
from search.backends.sqlite_sql import COLUMNS_INDEX, star_case
from search.backends.sqlite_totals import totals_before
from search.figures import (
    AspectFigures, EntityFigures, FiguresRequest, SeriesPoint, adjusted, check_figures_request, ranked_aspects,
)
from search.queries import STAR_RANGES

ENTITIES = "d.entity_id IN (SELECT value FROM json_each(?))"
BUCKETS = {
    "day": "substr(d.published_at, 1, 10)",
    "week": "date(substr(d.published_at, 1, 10), 'weekday 0', '-6 days')",  # the Monday of its week
    "month": "substr(d.published_at, 1, 7) || '-01'",
}
WINDOWS = ("window", "previous", "all_time")


class SQLiteFiguresMixin:
    """The comparison read of ``ReviewStore`` (see ``search.figures``)."""

    def entity_figures(self, request: FiguresRequest) -> dict[str, EntityFigures]:
        check_figures_request(request)
        ids = list(dict.fromkeys(request.entity_ids))
        if not ids:
            return {}
        entities = json.dumps(ids)
        since, until, previous = utc_key(request.since), utc_key(request.until), utc_key(request.previous_start)
        with self._reading("computing comparison figures") as connection:
            ratings = _ratings(connection, entities, since, until, previous, request.exclude_flags)
            series = _series(connection, entities, since, until, request.interval)
            aspects = _aspects(connection, entities, since, until)
            mentions = dict(connection.execute(
                f"SELECT d.entity_id, COUNT(*) FROM documents d WHERE d.kind = 'mention' AND {ENTITIES}"
                " AND d.published_at >= ? AND d.published_at < ? GROUP BY d.entity_id", (entities, since, until)))
        return {
            entity_id: EntityFigures(
                entity_id=entity_id,
                **{name: ratings.get((entity_id, name)) or _empty(entity_id) for name in WINDOWS},
                series=series.get(entity_id, []),
                aspects=ranked_aspects(aspects.get(entity_id, {}), request.max_aspects),
                mentions=mentions.get(entity_id, 0),
            )
            for entity_id in ids
        }


STAR = star_case("rating")  # search.queries.STAR_RANGES, half up
# Only the two windows are scanned; all-time figures come from review_totals (sqlite_totals).
RECENT = ("SELECT entity_id, CASE WHEN published_at >= :since THEN 0 ELSE 1 END AS w, "
          f"{STAR} AS star, COUNT(*), SUM(rating), SUM(rating * COALESCE(authenticity_weight, 1.0)),"
          " SUM(COALESCE(authenticity_weight, 1.0)), COUNT(authenticity_weight)"
          " FROM documents d INDEXED BY documents_ratings WHERE d.kind = 'review'"
          f" AND {ENTITIES.replace('?', ':entities')} AND d.published_at >= :previous AND d.published_at < :until"
          " AND d.rating IS NOT NULL GROUP BY entity_id, w, star")
WINDOW = ("CASE WHEN published_at >= :since AND published_at < :until THEN 0"
          " WHEN published_at >= :previous AND published_at < :since THEN 1 ELSE 2 END")
# Flagged reviews are few: found through the flag index, then their columns by id.
FLAGGED = (f"SELECT entity_id, {WINDOW} AS w, COUNT(*), SUM(rating * COALESCE(authenticity_weight, 1.0)),"
           " SUM(COALESCE(authenticity_weight, 1.0)), COUNT(authenticity_weight)"
           " FROM (SELECT DISTINCT t.doc FROM document_tags t WHERE t.field = 'flags'"
           " AND t.value IN (SELECT value FROM json_each(:flags))) f"
           f" CROSS JOIN documents d INDEXED BY {COLUMNS_INDEX} ON d.id = f.doc"
           # "+": a plain check on each flagged review, not an index seek per (review, entity)
           f" WHERE +d.kind = 'review' AND +{ENTITIES.replace('?', ':entities')} AND d.rating IS NOT NULL"
           " AND (d.published_at < :until OR d.published_at IS NULL) GROUP BY entity_id, w")


def _ratings(connection, entities: str, since: str, until: str, previous: str,
             exclude_flags) -> dict[tuple[str, str], RatingStats]:
    """Window, previous-window and all-time stats of every entity.

    The two windows come from one grouped range scan of a covering index (entity, window,
    star); all-time figures from the maintained totals (``sqlite_totals``). The authenticity
    sums of flagged reviews, which weigh 0, come from a small query driven by the flag index
    and are taken off: checking flags row by row would double the scan.
    """
    params = {"since": since, "until": until, "previous": previous, "entities": entities,
              "flags": json.dumps(list(exclude_flags or ()))}
    sums: dict[tuple[str, int], list[float]] = {}
    stars: dict[tuple[str, int], dict[int, int]] = {}

    def add(key: tuple[str, int], star: int, values: tuple) -> None:
        _add(sums.setdefault(key, [0, 0.0, 0.0, 0.0, 0]), values)
        stars.setdefault(key, {}).setdefault(star, 0)
        stars[key][star] += values[0]

    for entity_id, w, star, *values in connection.execute(RECENT, params):
        add((entity_id, w), star, tuple(values))
    for entity_id, star, *values in totals_before(connection, entities, until):
        add((entity_id, 2), star, tuple(values))
    if exclude_flags:
        for entity_id, w, count, weighted, weight, weights in connection.execute(FLAGGED, params):
            for key in ((entity_id, w), (entity_id, 2)) if w != 2 else ((entity_id, 2),):
                # flagged: weight 0, yet a signal
                _add(sums.setdefault(key, [0, 0.0, 0.0, 0.0, 0]), (0, 0.0, -weighted, -weight, count - weights))
    names = {0: "window", 1: "previous", 2: "all_time"}
    return {(entity_id, names[w]): _stats(entity_id, values, stars.get((entity_id, w), {}))
            for (entity_id, w), values in sums.items()}


def _add(into: list, values: tuple) -> None:
    for position, value in enumerate(values):
        into[position] += value or 0


def _stats(entity_id: str, values: list, stars: dict[int, int]) -> RatingStats:
    count, total, weighted, weight, signals = values
    if not count:
        return _empty(entity_id)
    adjusted_average, adjusted_weight = adjusted(weighted, weight, int(signals))
    distribution = {star: stars.get(star, 0) for star, _low, _high in STAR_RANGES}
    return RatingStats(entity_id, int(count), total / count, distribution,
                       adjusted_average=adjusted_average, adjusted_weight=adjusted_weight)


def _empty(entity_id: str) -> RatingStats:
    return RatingStats(entity_id, 0, None, {star: 0 for star, _low, _high in STAR_RANGES})


def _series(connection, entities: str, since: str, until: str, interval: str) -> dict[str, list[SeriesPoint]]:
    sql = (f"SELECT d.entity_id, {BUCKETS[interval]} AS bucket, COUNT(*), AVG(d.rating) FROM documents d"
           f" WHERE d.kind = 'review' AND d.rating IS NOT NULL AND {ENTITIES} AND d.published_at >= ?"
           " AND d.published_at < ? GROUP BY d.entity_id, bucket ORDER BY d.entity_id, bucket")
    result: dict[str, list[SeriesPoint]] = {}
    for entity_id, bucket, count, average in connection.execute(sql, (entities, since, until)):
        start = datetime.fromisoformat(bucket).replace(tzinfo=timezone.utc)
        result.setdefault(entity_id, []).append(SeriesPoint(start, count, average))
    return result


def _aspects(connection, entities: str, since: str, until: str) -> dict[str, dict[str, AspectFigures]]:
    # Driven from the window's documents (index range), then their tags: not from every tag row.
    sql = ("SELECT d.entity_id, t.value, COUNT(*), AVG(t.score),"
           " SUM(d.sentiment_label = 'positive'), SUM(d.sentiment_label = 'neutral'), SUM(d.sentiment_label = 'negative')"
           f" FROM documents d CROSS JOIN document_tags t INDEXED BY document_tags_by_doc ON t.doc = d.id AND t.field = 'aspects'"
           f" WHERE d.kind = 'review' AND {ENTITIES} AND d.published_at >= ? AND d.published_at < ?"
           " GROUP BY d.entity_id, t.value")
    result: dict[str, dict[str, AspectFigures]] = {}
    for entity_id, aspect, count, score, positive, neutral, negative in connection.execute(sql, (entities, since, until)):
        result.setdefault(entity_id, {})[aspect] = AspectFigures(aspect, count, score, int(positive or 0),
                                                                 int(neutral or 0), int(negative or 0))
    return result
