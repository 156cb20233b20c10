"""Versioned Elasticsearch index definitions: ``v1/<name>.json`` for documents, snapshots, incidents.

Each file holds ``settings`` and ``mappings`` (the ``template`` part of a composable index
template) and a ``_meta`` block. ``ElasticsearchReviewStore.ensure_ready`` installs each file as
the index template ``<prefix>-<name>`` for indices ``<prefix>-<name>-*``, creates
``<prefix>-<name>-v1`` and points the alias ``<prefix>-<name>`` at it. Readers and writers only
ever use the alias, so a ``v2`` directory can be rolled in by creating ``-v2`` indices, copying
the data and moving the alias, without touching callers.

Only features of a minimal Elasticsearch node are used (standard analyzer, keyword, double,
long, date, disabled objects): the stripped test node has no language analyzers, no
``asciifolding`` and no painless, so accent folding is done in Python (``search.query_text``).
Reads no settings.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

MAPPING_VERSION = "v1"
MAPPING_NAMES = ("documents", "snapshots", "incidents")


def load_mapping(name: str, version: str = MAPPING_VERSION) -> dict[str, Any]:
    """The parsed ``<version>/<name>.json`` file shipped with the package."""
    if name not in MAPPING_NAMES:
        raise ValueError(f"unknown mapping {name!r}; expected one of {list(MAPPING_NAMES)}")
    text = resources.files(__name__).joinpath(version, f"{name}.json").read_text(encoding="utf-8")
    return json.loads(text)
