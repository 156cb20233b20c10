"""Versioned Elasticsearch index definitions: ``<version>/<name>.json``, and the latest of each.

Each file holds ``settings`` and ``mappings`` (the ``template`` part of a composable index
template) and a ``_meta`` block. ``ElasticsearchReviewStore`` installs the latest definition of
each name as the index template ``<prefix>-<name>`` (indices ``<prefix>-<name>-*``), creates
``<prefix>-<name>-<latest version>`` on a fresh cluster and points the alias ``<prefix>-<name>``
at it. Readers and writers only ever use the alias. An installation whose alias still points at
an older version keeps working; ``starwatch index migrate`` (``search.index_admin``) copies it
into the latest version and moves the alias.

Versions: ``documents`` v1 → v2 (authenticity weight fields; French/English stemmed sub-fields
where the cluster has the language analyzers); every other index (``snapshots``, ``incidents``,
``saved_searches``, the alert log and the crawl log) is at v1.

The files use only what a minimal Elasticsearch node has (standard analyzer, keyword, double,
long, date, disabled objects): the stripped test node has no language analyzers, no
``asciifolding`` and no painless, so accent folding is done in Python (``search.query_text``).
``index_definition(..., language_analyzers=True)`` adds the richer sub-fields for clusters that
have the ``analysis-common`` module (see ``search.backends.es_features``). Reads no settings.
"""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

LATEST_VERSIONS: dict[str, str] = {
    "documents": "v2", "snapshots": "v1", "incidents": "v1", "saved_searches": "v1", "alertlog": "v1", "crawllog": "v1",
}
# The alert delivery log and engine marks (issue 7), read and written by search.backends.es_alerts.
LATEST_VERSIONS["alertlog"] = "v1"
# Crawl state, review edit/deletion events and crawl health events (issue 3), search.backends.es_crawl.
LATEST_VERSIONS["crawllog"] = "v1"
# Authenticity report cards and campaigns (issue 5), search.backends.es_authenticity.
LATEST_VERSIONS["authenticity"] = "v1"
MAPPING_NAMES = tuple(LATEST_VERSIONS)
LANGUAGE_ANALYZERS = ("french", "english")


def latest_version(name: str) -> str:
    _check_name(name)
    return LATEST_VERSIONS[name]


def load_mapping(name: str, version: str | None = None) -> dict[str, Any]:
    """The parsed ``<version>/<name>.json`` file shipped with the package (latest by default)."""
    _check_name(name)
    version = version or LATEST_VERSIONS[name]
    try:
        text = resources.files(__name__).joinpath(version, f"{name}.json").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"there is no mapping {version}/{name}.json; known versions of {name}: "
                         f"{known_versions(name)}") from None
    return json.loads(text)


def known_versions(name: str) -> list[str]:
    """Every version directory that defines ``name``, oldest first."""
    root = resources.files(__name__)
    found = [entry.name for entry in root.iterdir()
             if entry.name.startswith("v") and entry.joinpath(f"{name}.json").is_file()]
    return sorted(found, key=lambda v: int(v[1:]))


def index_definition(name: str, version: str | None = None, *, language_analyzers: bool = False) -> dict[str, Any]:
    """The definition to install: the file, plus stemmed sub-fields when the cluster can analyse them.

    Only fields listed in ``_meta.language_subfields`` get them; the sub-fields are named after
    Elasticsearch's built-in language analyzers (``search_text.french``, ``search_text.english``).
    """
    definition = copy.deepcopy(load_mapping(name, version))
    meta = definition.setdefault("_meta", {})
    subfields = meta.get("language_subfields", [])
    meta["language_analyzers"] = bool(language_analyzers and subfields)
    if meta["language_analyzers"]:
        properties = definition["mappings"]["properties"]
        for field in subfields:
            properties[field]["fields"] = {
                language: {"type": "text", "analyzer": language} for language in LANGUAGE_ANALYZERS
            }
    return definition


def _check_name(name: str) -> None:
    if name not in LATEST_VERSIONS:
        raise ValueError(f"unknown mapping {name!r}; expected one of {list(MAPPING_NAMES)}")
