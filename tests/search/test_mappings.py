"""Versioned mappings and cluster features: pure checks, no cluster."""

from __future__ import annotations

import pytest

from search.backends.es_features import features_from_nodes
from search.mappings import LATEST_VERSIONS, index_definition, known_versions, load_mapping


def test_every_latest_mapping_exists_and_names_its_version():
    for name, version in LATEST_VERSIONS.items():
        assert load_mapping(name)["_meta"]["version"] == version
    assert known_versions("documents") == ["v1", "v2"]


def test_v2_documents_carry_the_authenticity_fields():
    properties = load_mapping("documents")["mappings"]["properties"]
    assert {properties[f]["type"] for f in ("authenticity_weight", "weighted_rating", "effective_weight")} == {"double"}
    assert "authenticity_weight" not in load_mapping("documents", "v1")["mappings"]["properties"]


def test_language_sub_fields_only_where_the_cluster_has_the_analyzers():
    minimal = index_definition("documents", language_analyzers=False)
    rich = index_definition("documents", language_analyzers=True)
    assert "fields" not in minimal["mappings"]["properties"]["search_text"]
    assert rich["mappings"]["properties"]["search_text"]["fields"] == {
        "french": {"type": "text", "analyzer": "french"}, "english": {"type": "text", "analyzer": "english"}}
    assert (minimal["_meta"]["language_analyzers"], rich["_meta"]["language_analyzers"]) == (False, True)
    assert index_definition("snapshots", language_analyzers=True)["_meta"]["language_analyzers"] is False


def test_unknown_names_and_versions_say_what_exists():
    with pytest.raises(ValueError, match="expected one of"):
        load_mapping("reviews")
    with pytest.raises(ValueError, match="known versions of documents"):
        load_mapping("documents", "v9")


def _nodes(*module_lists, versions=()):
    return {"nodes": {f"n{i}": {"modules": [{"name": m} for m in modules], "plugins": [],
                                "version": versions[i] if versions else "8.19.16"}
                      for i, modules in enumerate(module_lists)}}


def test_features_need_the_module_on_every_node():
    full = ["analysis-common", "lang-painless", "reindex", "x-pack-core"]
    assert features_from_nodes(_nodes(full)).as_dict() == {
        "language_analyzers": True, "painless": True, "reindex": True, "point_in_time": True}
    mixed = features_from_nodes(_nodes(full, ["x-pack-core", "reindex"]))
    assert mixed.as_dict() == {"language_analyzers": False, "painless": False, "reindex": True, "point_in_time": True}
    assert [line.split(":")[0] for line in mixed.degraded()] == ["language_analyzers", "painless"]
    assert features_from_nodes({"nodes": {}}).known is False


@pytest.mark.parametrize(("versions", "present"), [
    (("8.19.16", "7.10.0"), True),
    (("8.19.16", "7.9.3"), False),  # one node too old: a search can land on it
    (("8.19.0-SNAPSHOT",), True),
    (("8.19.16", None), True),  # a version we cannot read: assumed, the store falls back at run time
])
def test_point_in_time_needs_7_10_on_every_node(versions, present):
    features = features_from_nodes(_nodes(*[["x-pack-core"]] * len(versions), versions=versions))
    assert features.point_in_time is present
    assert any(line.startswith("point_in_time: ") for line in features.degraded()) is not present
