"""What the Elasticsearch cluster can do, read once from ``GET _nodes/plugins``.

Elastic's minimal distribution (the one ``scripts/services`` runs for tests) lacks modules the
full one ships: ``analysis-common`` (the ``french``/``english`` analyzers, ``asciifolding``),
``lang-painless`` (scripts) and ``reindex`` (``_reindex``, ``_delete_by_query``). starwatch keeps
its core inside what every node has and uses the rest only where present:

- ``language_analyzers``: stemmed French/English sub-fields in the documents mapping, used to
  rank search hits (absent: ranking uses the accent-folded standard analyzer only);
- ``reindex``: not needed; ``starwatch index migrate`` copies with point-in-time + bulk on every
  cluster, because the copy also recomputes derived fields in Python (folded text, weights),
  which ``_reindex`` could only do with painless;
- ``painless``: not needed; averages use fields computed at indexing time instead of scripts;
- ``point_in_time``: not a module but a core API since 7.10 (every node must be that recent);
  deep search pages read one snapshot (``es_point_in_time``). Absent: pages use ``search_after``
  on the live index, where documents indexed between two pages may shift them.

A feature counts as present only when every node has its module (a search can land on any
node). When the cluster refuses ``_nodes/plugins`` (a user without the ``monitor`` privilege),
every optional module counts as absent and ``notes`` says why; point in time then counts as
present (the 8.x client talks only to clusters that have it) and the store falls back at run
time if the cluster refuses it anyway. Reads no settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# feature -> the module (or plugin) that provides it
FEATURE_MODULES = {"language_analyzers": "analysis-common", "painless": "lang-painless", "reindex": "reindex"}
DEGRADED = {
    "language_analyzers": "no French/English stemming: hits are ranked on accent-folded words only "
                          "(with the full Elasticsearch distribution, indices created afterwards get stemmed sub-fields)",
    "painless": "no scripts: authenticity-adjusted averages use fields computed at indexing time (no loss)",
    "reindex": "no _reindex: starwatch index migrate copies with point-in-time + bulk (no loss)",
    "point_in_time": "no point in time (Elasticsearch older than 7.10): deep search pages read the live index, so "
                     "documents indexed between two pages can shift them (upgrade Elasticsearch for stable pages)",
}
POINT_IN_TIME_SINCE = (7, 10)


@dataclass(frozen=True)
class ClusterFeatures:
    """Optional cluster capabilities and, for each missing one, what starwatch does instead."""

    modules: frozenset[str] = frozenset()
    known: bool = True
    notes: tuple[str, ...] = field(default=())
    oldest_version: tuple[int, ...] | None = None  # of the oldest node; None when unknown

    @property
    def language_analyzers(self) -> bool:
        return FEATURE_MODULES["language_analyzers"] in self.modules

    @property
    def point_in_time(self) -> bool:
        """Every node has the point-in-time API (assumed when the versions are unknown)."""
        return self.oldest_version is None or self.oldest_version[:2] >= POINT_IN_TIME_SINCE

    def as_dict(self) -> dict[str, bool]:
        present = {feature: module in self.modules for feature, module in FEATURE_MODULES.items()}
        return {**present, "point_in_time": self.point_in_time}

    def degraded(self) -> list[str]:
        """One line per missing feature: what it means for the user."""
        return [f"{feature}: {DEGRADED[feature]}" for feature, present in self.as_dict().items() if not present]


def features_from_nodes(response: dict[str, Any]) -> ClusterFeatures:
    """Features present on every node of a ``_nodes/plugins`` response."""
    per_node = []
    versions = []
    for node in (response.get("nodes") or {}).values():
        names = {entry.get("name") for entry in (node.get("modules") or []) + (node.get("plugins") or [])}
        per_node.append({name for name in names if name})
        versions.append(_version(node.get("version")))
    if not per_node:
        return unknown_features("the cluster listed no nodes")
    oldest = None if None in versions else min(versions)
    return ClusterFeatures(modules=frozenset(set.intersection(*per_node)), oldest_version=oldest)


def _version(text: Any) -> tuple[int, ...] | None:
    """``"8.19.16"`` -> ``(8, 19, 16)``; None for anything else (a snapshot build's suffix is dropped)."""
    if not isinstance(text, str):
        return None
    numbers = []
    for part in text.split("-")[0].split(".")[:3]:
        if not part.isdigit():
            return None
        numbers.append(int(part))
    return tuple(numbers) or None


def unknown_features(reason: str) -> ClusterFeatures:
    return ClusterFeatures(
        known=False,
        notes=(f"cluster modules unknown ({reason}); optional features are treated as absent. "
               "Grant the starwatch user the 'monitor' cluster privilege to detect them",),
    )


def detect_features(client: Any) -> ClusterFeatures:
    """Ask the cluster; a refused request makes the features unknown, an unreachable one raises."""
    from elasticsearch import ApiError

    try:
        response = client.nodes.info(metric="plugins").body
    except ApiError as exc:
        return unknown_features(f"_nodes/plugins answered HTTP {exc.meta.status}")
    return features_from_nodes(response)
