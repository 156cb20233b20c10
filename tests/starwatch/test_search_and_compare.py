"""Search, saved searches, comparison and index commands as front ends call them, on SQLite
(every capability) and on the real Elasticsearch node (the same calls, other store)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from typer.testing import CliRunner

from config import ConfigError, Settings
from search.documents import RatingSnapshot, make_snapshot_id
from search.factory import get_store
from search.testing_depth_corpus import EST, NORD, SUD, UTC, WINDOW_UNTIL, depth_mentions, depth_reviews
from starwatch.capabilities.comparison import compare_group
from starwatch.capabilities.indexing import index_status, migrate_indices
from starwatch.capabilities.mentions import SearchInputError, search_mentions
from starwatch.capabilities.saved_searches import (
    delete_saved_search, list_saved_searches, run_saved_search, save_search, saved_search_query,
)
from starwatch.cli import app

ENTITIES = [{"id": NORD, "name": "Atelier Nord", "group": "rivals"},
            {"id": SUD, "name": "Brasserie Sud", "group": "rivals"},
            {"id": EST, "name": "Crêperie Est", "group": "rivals"}]


def filled_settings(**store) -> Settings:
    settings = Settings(store=store.get("store", {}), elasticsearch=store.get("elasticsearch", {}),
                        groups=[{"id": "rivals", "name": "Rivaux"}], entities=ENTITIES,
                        compare={"authenticity_exclude_flags": ["suspect-burst"]})
    target = get_store(settings)
    target.upsert_reviews(list(depth_reviews().values()))
    target.upsert_mentions(list(depth_mentions().values()))
    target.refresh()
    target.close()
    return settings


@pytest.fixture
def sqlite_settings(tmp_path) -> Settings:
    return filled_settings(store={"backend": "sqlite", "sqlite_path": str(tmp_path / "store.sqlite")})


def test_search_by_group_with_facets_and_cursor(sqlite_settings):
    first = search_mentions(sqlite_settings, "service", group_ids=["rivals"], limit=3, facets=True)
    assert first.total == 5 and len(first.hits) == 3 and first.next_cursor
    assert first.facets["entity_id"] == {NORD: 4, SUD: 1}
    rest = search_mentions(sqlite_settings, "service", group_ids=["rivals"], limit=3, cursor=first.next_cursor)
    assert len(rest.hits) == 2 and rest.next_cursor is None
    with pytest.raises(ConfigError, match="unknown competitor group"):
        search_mentions(sqlite_settings, "service", group_ids=["rival"])
    with pytest.raises(SearchInputError, match="facet"):
        search_mentions(sqlite_settings, "service", facets=["nope"])


def test_saved_search_lifecycle(sqlite_settings):
    saved = save_search(sqlite_settings, "lent", '"service" OR slow', group_ids=["rivals"], sort="date",
                        description="Lenteur chez les concurrents")
    again = save_search(sqlite_settings, "lent", "slow", group_ids=["rivals"])
    assert again.created_at == saved.created_at and again.text == "slow"
    assert [s.name for s in list_saved_searches(sqlite_settings)] == ["lent"]
    assert [hit.document.external_id for hit in run_saved_search(sqlite_settings, "lent").hits] == ["b3", "a2"]
    query = saved_search_query(sqlite_settings, "lent", now=datetime(2024, 6, 1, tzinfo=UTC))
    assert query.text == "slow" and set(query.entity_ids) == {NORD, SUD, EST}
    assert delete_saved_search(sqlite_settings, "lent") is True
    with pytest.raises(SearchInputError, match="no saved search named 'lent'"):
        run_saved_search(sqlite_settings, "lent")
    with pytest.raises(SearchInputError, match="saved-search name"):
        save_search(sqlite_settings, "Bad Name", "x")


def test_compare_group_figures_rank_and_forecast(sqlite_settings):
    store = get_store(sqlite_settings)
    store.add_snapshots([RatingSnapshot(snapshot_id=make_snapshot_id("sud-site", SUD, datetime(2024, 5, 30, tzinfo=UTC)),
                                        source="sud-site", platform="schema_org", entity_id=SUD, average=4.4,
                                        rating_count=100, observed_at=datetime(2024, 5, 30, tzinfo=UTC))])
    store.close()
    result = compare_group(sqlite_settings, "rivals", days=31, now=WINDOW_UNTIL, interval="week")
    nord, sud, est = result.members
    assert (nord.window_count, nord.window_average, nord.previous_average, nord.change) == (4, 3.0, 3.0, 0.0)
    assert nord.window_smoothed == round((7 * 3.5 + 12) / 11, 2)
    assert nord.window_adjusted == 3.6  # a3 carries the excluded flag, a2 weighs 0.5
    # smoothed: Sud (24.5 + 10.4) / 10 = 3.49 beats Nord (24.5 + 12) / 11 = 3.32
    assert (sud.window_adjusted, sud.rank, nord.rank, est.rank) == (None, 1, 2, None)
    assert [m.share_of_voice for m in result.members] == [0.25, 0.25, 0.5]
    assert [p.count for p in nord.series] == [1, 2, 0, 1, 0]
    assert [a.aspect for a in nord.aspects][:2] == ["service", "prix"]
    assert (sud.forecast.basis, sud.forecast.displayed, sud.forecast.ones_to_drop) == ("platform snapshot", 4.5, 5)
    assert (nord.forecast.basis, nord.forecast.count) == ("collected reviews", 7)


def test_cli_search_saved_search_compare_and_index(sqlite_settings, tmp_path, monkeypatch):
    config = tmp_path / "starwatch.yaml"
    config.write_text(json.dumps({"store": sqlite_settings.model_dump(mode="json")["store"],
                                  "groups": [{"id": "rivals", "name": "Rivaux"}], "entities": ENTITIES}))
    monkeypatch.setenv("STARWATCH_CONFIG", str(config))
    runner = CliRunner()
    found = runner.invoke(app, ["search", "service", "--group", "rivals", "--facets", "--limit", "2", "--json"])
    page = json.loads(found.stdout)
    assert (page["total"], len(page["hits"]), page["facets"]["stars"]["5"]) == (5, 2, 2)
    second = runner.invoke(app, ["search", "service", "--group", "rivals", "--limit", "2", "--cursor", page["next_cursor"]])
    assert second.exit_code == 0 and "more: add --cursor" in second.stdout
    saved = runner.invoke(app, ["search", "slow", "--language", "en", "--save", "slow-en"])
    assert saved.exit_code == 0, saved.output
    listed = runner.invoke(app, ["saved-search", "list"])
    assert "slow-en: 'slow'" in listed.stdout and "languages=en" in listed.stdout
    assert "2 result(s)" in runner.invoke(app, ["saved-search", "run", "slow-en"]).stdout
    compared = json.loads(runner.invoke(app, ["compare", "rivals", "--days", "3650", "--interval", "month", "--json"]).stdout)
    assert [m["entity_id"] for m in compared["members"]] == [NORD, SUD, EST]
    status = json.loads(runner.invoke(app, ["index", "status", "--json"]).stdout)
    assert status["backend"] == "sqlite" and status["indices"][0]["documents"] == 18
    bad = runner.invoke(app, ["search", "x", "--cursor", "abc"])
    assert bad.exit_code == 1 and "starwatch: error: this cursor" in bad.output


@pytest.mark.integration
def test_the_same_capabilities_on_elasticsearch(es_url, es_index_prefix):
    settings = filled_settings(store={"backend": "elasticsearch"},
                               elasticsearch={"url": es_url, "index_prefix": es_index_prefix})
    first = search_mentions(settings, "service", group_ids=["rivals"], limit=3, facets=["entity_id"])
    rest = search_mentions(settings, "service", group_ids=["rivals"], limit=3, cursor=first.next_cursor)
    assert first.facets["entity_id"] == {NORD: 4, SUD: 1} and len(first.hits) + len(rest.hits) == 5
    save_search(settings, "lent", "slow", group_ids=["rivals"])
    assert [hit.document.external_id for hit in run_saved_search(settings, "lent").hits] == ["b3", "a2"]
    result = compare_group(settings, "rivals", days=31, now=WINDOW_UNTIL)
    assert (result.members[0].window_adjusted, result.members[0].rank) == (3.6, 2)
    assert [state.pending for state in index_status(settings).indices] == [False] * len(index_status(settings).indices)
    assert {r.status for r in migrate_indices(settings)} == {"up-to-date"}
