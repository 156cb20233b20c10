"""A real crawl of pages with the faults real review pages have, and the three ways of paging.

One ``python -m crawlers.runner`` process crawls four sources of the invented
``schema_org_messy`` site (see its README): paging by URL pattern ending on a 404, by a JSON
"load more" endpoint, a single RDFa page whose rating is only an aria-label, and a page served
with its templates unrendered.
"""

import pytest
from crawler_support import crawl_config, run_crawl_subprocess

HOTEL = "https://tilleuls.example/avis/"
RECIPE = "https://recettes.example/avis/"


@pytest.fixture(scope="module")
def crawl(messy_site, tmp_path_factory):
    sources = [
        {"id": "hotel", "url": messy_site.url("/hotel/page-1.html"),
         "page_url_pattern": messy_site.url("/hotel/page-{page}.html")},
        {"id": "recette", "url": messy_site.url("/recette/page-1.html"),
         "load_more_url": messy_site.url("/recette/api/more-{page}.json")},
        {"id": "appli", "url": messy_site.url("/appli/index.html")},
        {"id": "cassee", "url": messy_site.url("/cassee/index.html")},
    ]
    before = len(messy_site.requested_paths)
    run = run_crawl_subprocess(tmp_path_factory.mktemp("messy"), crawl_config(sources))
    run.requested_paths = [p for p in messy_site.requested_paths[before:] if p != "/robots.txt"]
    assert run.returncode == 0, run.stderr[-3000:]
    return run


def _reviews(run, source):
    return {r["external_id"].rsplit("/", 1)[-1]: r for r in run.records("reviews") if r["source"] == source}


def _snapshot(run, source):
    (snapshot,) = [s for s in run.records("snapshots") if s["source"] == source]
    return snapshot


def test_url_pattern_paging_ends_at_the_first_missing_page(crawl):
    assert [p for p in crawl.requested_paths if p.startswith("/hotel/")] == [
        "/hotel/page-1.html", "/hotel/page-2.html", "/hotel/page-3.html"]
    hotel = crawl.source("hotel")
    assert (hotel["pages"], hotel["errors"], hotel["complete_listing"]) == (2, [], True)


def test_every_valid_review_of_messy_pages_is_kept(crawl):
    reviews = _reviews(crawl, "hotel")
    assert set(reviews) == {"h-1", "h-2", "h-5", "h-6"}
    assert (reviews["h-1"]["rating"], reviews["h-1"]["published_at"]) == (4.5, "2013-10-17T00:00:00Z")
    assert reviews["h-1"]["text"] == "Chambre calme, personnel aux petits soins. Petit-déjeuner copieux."
    assert reviews["h-5"]["published_at"] is not None  # "vor 3 Tagen" on a German page
    assert reviews["h-6"]["rating"] == 2.0


def test_duplicates_and_unrendered_templates_are_dropped_and_counted(crawl):
    hotel = crawl.source("hotel")
    assert hotel["dropped"] == {"duplicate": 1, "unrendered_template": 2}
    assert hotel["health"] == "degraded"
    assert any("failed validation" in problem for problem in hotel["health_problems"])


def test_the_summary_keeps_both_counts_and_rounds_the_long_rating(crawl):
    snapshot = _snapshot(crawl, "hotel")
    assert (snapshot["average"], snapshot["rating_count"], snapshot["review_count"]) == (4.6667, 120, 87)


def test_load_more_endpoint_pages_until_it_says_no_more(crawl):
    assert [p for p in crawl.requested_paths if p.startswith("/recette/")] == [
        "/recette/page-1.html", "/recette/api/more-2.json", "/recette/api/more-3.json"]
    reviews = _reviews(crawl, "recette")
    assert {key: r["rating"] for key, r in reviews.items()} == {"t-1": 5.0, "t-2": 3.5, "t-3": 4.0, "t-4": 3.0, "t-5": 4.5}
    assert (reviews["t-1"]["rating_original"], reviews["t-1"]["rating_best"]) == (10, 10)
    snapshot = _snapshot(crawl, "recette")
    assert (snapshot["average"], snapshot["average_original"], snapshot["rating_count"]) == (4.6, 9.2, 41)


def test_rdfa_reviews_and_a_rating_found_only_in_an_aria_label(crawl):
    assert set(_reviews(crawl, "appli")) == {"a-1", "a-2"}
    assert _snapshot(crawl, "appli")["average"] == 4.4
    assert crawl.source("appli")["health"] == "ok"


def test_a_page_with_unrendered_templates_yields_nothing(crawl):
    cassee = crawl.source("cassee")
    assert (cassee["reviews_collected"], cassee["snapshots"]) == (0, 0)
    assert cassee["dropped"] == {"unrendered_template": 2}
