"""Real crawls of the invented schema_org_shop site on loopback, each in its own process.

Every crawl runs ``python -m crawlers.runner`` with a JSON Lines sink, exactly as an operator
would, because Twisted's reactor runs once per process.
"""

import pytest
from crawler_support import TEST_SALT, crawl_config, run_crawl_subprocess

from search.documents import hash_author

BATCH_SIZE = 4
REVIEW_BASE = "https://brulerie-du-canal.example/avis/"
VALID_IDS = {"r-101", "r-102", "r-103", "r-104", "r-201", "r-202", "r-301", "r-305"}  # + one review without id
AUTHORS = ["Margaret Holloway", "Jean-Baptiste Lemoine", "Priya Natarajan", "Garnier", "Tom Becker",
           "Camille Roux", "Lucien Marchand", "Grace O'Neill", "Hélène Dufresne"]


def _sources(site):
    start = site.url("/reviews/page-1.html")
    return [{"id": "shop", "url": start, "max_pages": 10}, {"id": "shop-first-page", "url": start, "max_pages": 1}]


def _crawl(site, workdir):
    already_requested = len(site.requested_paths)
    run = run_crawl_subprocess(workdir, crawl_config(_sources(site), batch_size=BATCH_SIZE))
    run.requested_paths = site.requested_paths[already_requested:]
    return run


@pytest.fixture(scope="module")
def first_crawl(schema_org_shop, tmp_path_factory):
    return _crawl(schema_org_shop, tmp_path_factory.mktemp("first"))


@pytest.fixture(scope="module")
def second_crawl(first_crawl, schema_org_shop, tmp_path_factory):
    return _crawl(schema_org_shop, tmp_path_factory.mktemp("second"))


def _reviews(run, source_id="shop"):
    return [review for review in run.records("reviews") if review["source"] == source_id]


def _by_external_id(run):
    return {r["external_id"].removeprefix(REVIEW_BASE): r for r in _reviews(run) if r["external_id"]}


def test_the_crawl_succeeds_and_reports_per_source(first_crawl):
    assert first_crawl.returncode == 0, first_crawl.stderr[-3000:]
    shop = first_crawl.source("shop")
    assert (shop["pages"], shop["reviews_collected"], shop["snapshots"], shop["errors"]) == (3, 9, 1, [])
    assert shop["finish_reason"] == "finished"


def test_valid_reviews_all_arrive_on_the_five_star_scale_with_the_original_kept(first_crawl):
    reviews = _by_external_id(first_crawl)
    assert set(reviews) == VALID_IDS
    assert len(_reviews(first_crawl)) == 9
    assert all(r["rating"] is None or 0 <= r["rating"] <= 5 for r in _reviews(first_crawl))
    scale = {key: (r["rating"], r["rating_original"], r["rating_best"]) for key, r in reviews.items()}
    assert scale["r-103"] == (4.5, 9, 10)
    assert scale["r-104"] == (4.0, 80, 100)
    assert (reviews["r-102"]["rating"], reviews["r-102"]["published_at"]) == (4.5, "2023-10-17T00:00:00Z")
    assert reviews["r-305"]["rating"] is None
    assert reviews["r-101"]["text"] == ("Friendly baristas and a lovely Ethiopian roast. "
                                        "I come back every Saturday & never regret it.")


def test_author_names_are_hashed_and_never_handed_off(first_crawl):
    reviews = _by_external_id(first_crawl)
    assert reviews["r-101"]["author_hash"] == hash_author("Margaret Holloway", TEST_SALT)
    handed_off = repr(first_crawl.batches)
    assert not [name for name in AUTHORS if name in handed_off]


def test_pagination_is_followed_up_to_max_pages(first_crawl):
    assert {"r-201", "r-301"} <= set(_by_external_id(first_crawl))  # pages 2 (microdata) and 3
    first_page_only = first_crawl.source("shop-first-page")
    assert (first_page_only["pages"], first_page_only["reviews_collected"]) == (1, 4)
    assert {r["external_id"].rsplit("/", 1)[-1] for r in _reviews(first_crawl, "shop-first-page")} == {
        "r-101", "r-102", "r-103", "r-104"}


def test_sources_on_the_same_host_are_crawled_one_after_another(first_crawl):
    assert first_crawl.requested_paths == [
        "/robots.txt", "/reviews/page-1.html", "/reviews/page-2.html", "/reviews/page-3.html",  # source "shop"
        "/robots.txt", "/reviews/page-1.html",  # then "shop-first-page"
    ]


def test_impossible_ratings_are_dropped_and_counted_by_reason(first_crawl):
    assert first_crawl.source("shop")["dropped"] == {
        "duplicate": 1, "rating_above_best": 1, "rating_negative": 1, "rating_not_a_number": 1}
    assert first_crawl.source("shop")["field_problems"]["rating/invalid"] == 3
    assert not {"r-302", "r-303", "r-304"} & set(_by_external_id(first_crawl))


def test_a_broken_json_ld_block_loses_only_itself(first_crawl):
    assert "r-301" in _by_external_id(first_crawl)
    assert "Nobody Should See Me" not in first_crawl.stderr + repr(first_crawl.batches)


def test_robots_txt_disallowed_pages_are_never_fetched(first_crawl, schema_org_shop):
    assert "/robots.txt" in first_crawl.requested_paths
    assert not [path for path in schema_org_shop.requested_paths if path.startswith("/private/")]
    assert first_crawl.source("shop")["robots_forbidden"] == 1
    assert "r-401" not in _by_external_id(first_crawl)


def test_one_rating_snapshot_per_source_from_the_first_page(first_crawl):
    snapshots = first_crawl.records("snapshots")
    assert sorted(s["source"] for s in snapshots) == ["shop", "shop-first-page"]
    assert {(s["average"], s["rating_count"], s["review_count"]) for s in snapshots} == {(4.2, 31, 27)}


def test_records_are_handed_off_in_batches_of_the_configured_size(first_crawl):
    sizes = [len(batch["reviews"]) + len(batch["snapshots"]) for batch in first_crawl.batches]
    assert max(sizes) == BATCH_SIZE and sum(sizes) == 9 + 4 + 2
    assert all(batch["mentions"] == [] for batch in first_crawl.batches)


def test_a_second_crawl_gives_the_same_review_ids(first_crawl, second_crawl):
    assert second_crawl.returncode == 0, second_crawl.stderr[-3000:]
    first_ids = {r["review_id"] for r in first_crawl.records("reviews")}
    assert first_ids == {r["review_id"] for r in second_crawl.records("reviews")}
    assert len(first_ids) == 9 + 4  # two sources, so the first page's reviews have two ids each
    without_id = [r for r in _reviews(second_crawl) if r["external_id"] is None]
    assert len(without_id) == 1 and without_id[0]["review_id"] in first_ids  # relative date, still stable


def test_a_second_crawl_adds_a_new_snapshot_to_the_series(first_crawl, second_crawl):
    assert not {s["snapshot_id"] for s in first_crawl.records("snapshots")} & {
        s["snapshot_id"] for s in second_crawl.records("snapshots")}


def test_a_failing_sink_stops_the_crawl_and_is_reported(schema_org_shop, tmp_path):
    (tmp_path / "batches.jsonl").mkdir()  # the sink cannot write: a directory is in the way
    run = run_crawl_subprocess(tmp_path, crawl_config(_sources(schema_org_shop)[:1], batch_size=2))
    assert run.returncode == 1
    shop = run.source("shop")
    assert shop["finish_reason"] == "handoff_failed"
    assert shop["reviews_collected"] == 0
    assert any("handing records to the next stage failed: IsADirectoryError" in error for error in shop["errors"])
    assert any("records not delivered" in error for error in shop["errors"])
