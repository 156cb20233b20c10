"""``entity_figures`` for ``ElasticsearchReviewStore``: every comparison figure in one ``_msearch``.

A mixin: the store supplies ``alias`` and ``_ensured``. Bodies come from
``search.queries_figures``; this module sends them together and folds the answers back into
``EntityFigures`` (chunks of one kind simply add up, since each entity is in one chunk). Reads
no settings.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from search.backends.base import RatingStats, StoreError
from search.figures import (
    AspectFigures, EntityFigures, FiguresRequest, SeriesPoint, adjusted, check_figures_request, ranked_aspects,
)
from search.queries import STAR_RANGES
from search.queries_figures import figures_bodies


class ElasticsearchFiguresMixin:
    """The comparison read of ``ReviewStore`` (see ``search.figures``)."""

    def entity_figures(self, request: FiguresRequest) -> dict[str, EntityFigures]:
        check_figures_request(request)
        ids = list(dict.fromkeys(request.entity_ids))
        if not ids:
            return {}
        parts: dict[str, dict[str, Any]] = {"ratings": {}, "series": {}, "aspects": {}, "mentions": {}}
        bodies = figures_bodies(request)
        for (kind, _body), response in zip(bodies, self._figures_msearch([b for _k, b in bodies])):
            for bucket in response["aggregations"]["entities"]["buckets"]:
                parts[kind][bucket["key"]] = bucket
        return {entity_id: _entity(entity_id, parts, request) for entity_id in ids}

    def _figures_msearch(self, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
        action = "computing comparison figures"
        searches: list[dict[str, Any]] = []
        for body in bodies:
            searches.extend(({"index": self.alias("documents")}, body))
        with self._ensured("documents", action) as client:
            responses = client.msearch(searches=searches).body["responses"]
        for response in responses:
            if "error" in response:
                error = response["error"]
                reason = error.get("reason", error) if isinstance(error, dict) else error
                raise StoreError(f"Elasticsearch failed while {action}: {reason}; if the cluster limits buckets "
                                 "(search.max_buckets), compare fewer entities or a shorter window")
        return responses


def _entity(entity_id: str, parts: dict[str, dict[str, Any]], request: FiguresRequest) -> EntityFigures:
    ratings = parts["ratings"].get(entity_id)
    return EntityFigures(
        entity_id=entity_id,
        window=_stats(entity_id, ratings["window"] if ratings else None),
        previous=_stats(entity_id, ratings["previous"] if ratings else None),
        all_time=_stats(entity_id, ratings),
        series=_series(parts["series"].get(entity_id)),
        aspects=_aspects(parts["aspects"].get(entity_id), request.max_aspects),
        mentions=parts["mentions"].get(entity_id, {}).get("doc_count", 0),
    )


def _stats(entity_id: str, bucket: dict[str, Any] | None) -> RatingStats:
    distribution = {star: 0 for star, _low, _high in STAR_RANGES}
    if not bucket or not bucket["doc_count"]:
        return RatingStats(entity_id, 0, None, distribution)
    for star_bucket in bucket["stars"]["buckets"]:
        distribution[int(star_bucket["key"])] = star_bucket["doc_count"]
    adjusted_average, weight = adjusted(bucket["adjusted"]["weighted"]["value"], bucket["adjusted"]["weight"]["value"],
                                        bucket["signals"]["doc_count"])
    return RatingStats(entity_id, bucket["doc_count"], bucket["average"]["value"], distribution,
                       adjusted_average=adjusted_average, adjusted_weight=weight)


def _series(bucket: dict[str, Any] | None) -> list[SeriesPoint]:
    if not bucket:
        return []
    return [SeriesPoint(datetime.fromtimestamp(point["key"] / 1000, tz=timezone.utc), point["doc_count"],
                        point["average"]["value"])
            for point in bucket["series"]["buckets"] if point["doc_count"]]


def _aspects(bucket: dict[str, Any] | None, limit: int) -> list[AspectFigures]:
    if not bucket:
        return []
    rows = {}
    for aspect in bucket["aspects"]["names"]["buckets"]:
        labels = {label["key"]: label["doc_count"] for label in aspect["reviews"]["labels"]["buckets"]}
        rows[aspect["key"]] = AspectFigures(aspect["key"], aspect["doc_count"], aspect["score"]["value"],
                                            labels.get("positive", 0), labels.get("neutral", 0), labels.get("negative", 0))
    return ranked_aspects(rows, limit)
