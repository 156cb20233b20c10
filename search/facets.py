"""Facet counts: which facets exist, and the rules both backends follow when counting them.

A facet counts the hits of a search by one field: how many of the matching documents come from
each entity, source, language... ``SearchQuery.facets`` names the facets wanted; the counts come
back in ``SearchPage.facets`` as ``{facet: {value: count}}``. Counts cover every hit of the
search (all filters applied), not just the page shown.

Rules, identical on SQLite and Elasticsearch so the contract suite can compare them:
- at most ``FACET_SIZE`` values per facet, the most frequent first, ties by value (A→Z);
- values with no hit are left out, except ``stars``, which always lists "1" … "5";
- ``stars`` buckets ratings like ``rating_stats`` does (half up; unrated documents are not counted);
- ``aspects`` and ``flags`` are lists, so one document counts once for each of its values.

Reads no settings.
"""

from __future__ import annotations

from typing import Sequence

from search.backends.base import QueryError

FACET_SIZE = 20
# facet name -> the document field it counts (Elasticsearch field; SQLite column or tag field)
FACET_FIELDS: dict[str, str] = {
    "entity_id": "entity_id",
    "kind": "kind",
    "source": "source",
    "language": "language",
    "sentiment_label": "sentiment_label",
    "aspects": "aspects",
    "flags": "flags",
    "stars": "rating",
}
FACET_NAMES = tuple(FACET_FIELDS)
LIST_FACETS = ("aspects", "flags")  # multi-valued fields
STAR_KEYS = ("1", "2", "3", "4", "5")


def check_facets(facets: Sequence[str]) -> None:
    """Raise ``QueryError`` naming the known facets when one is unknown."""
    if isinstance(facets, (str, bytes)):
        raise QueryError(f"facets must be a list of facet names, e.g. [{facets!r}], not a single string")
    unknown = sorted({str(name) for name in facets} - set(FACET_NAMES))
    if unknown:
        raise QueryError(f"unknown facet(s) {unknown}; choose among {list(FACET_NAMES)}")


def top_values(counts: dict[str, int], size: int = FACET_SIZE) -> dict[str, int]:
    """The ``size`` most frequent values, ties by value, zero counts dropped (ordered dict)."""
    ranked = sorted(((value, count) for value, count in counts.items() if count > 0), key=lambda vc: (-vc[1], vc[0]))
    return dict(ranked[:size])


def star_counts(counts: dict[str, int]) -> dict[str, int]:
    """Every star "1" … "5", zeros included, in order."""
    return {star: int(counts.get(star, 0)) for star in STAR_KEYS}
