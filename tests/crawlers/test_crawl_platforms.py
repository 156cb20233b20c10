"""Real crawls of every platform's invented fixture site, offline on loopback, twice.

One runner process crawls a Trustpilot-style page, the App Store feed (two countries), Google
Play's web endpoints, two RSS/Atom mention feeds, a broken feed and a sitemap of store pages
(see ``tests/fixtures/sites/PLATFORMS.md``). A second crawl in the same working directory (same
store, so same crawl history) shows each platform's incremental stop.
"""

import shutil

import pytest
from crawler_support import SITES, crawl_config, run_crawl_subprocess, serve_directory, serve_site

APP_ID = "1234567890"
PLAY_ID = "example.boulangerie.express"


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    sitemap_root = tmp_path_factory.mktemp("sitemap_shops")
    shutil.copytree(SITES / "sitemap_shops", sitemap_root, dirs_exist_ok=True)
    served = {name: serve_site(name) for name in ("trustpilot", "app_store", "google_play", "feeds")}
    served["sitemap"] = serve_directory(sitemap_root)
    base = served["sitemap"][0].base_url
    for xml in sitemap_root.glob("*.xml"):
        xml.write_text(xml.read_text(encoding="utf-8").replace("http://fixture.invalid", base), encoding="utf-8")
    yield {name: site for name, (site, _server) in served.items()}
    for _site, server in served.values():
        server.shutdown()
        server.server_close()


def _config(sites) -> dict:
    sources = [
        {"id": "theiere", "type": "trustpilot", "url": sites["trustpilot"].url("/review/maison-theiere.example"),
         "languages": ["de"]},  # no page is in German: each counts as unexpected, its reviews kept
        {"id": "trailnote-ios", "type": "app_store", "url": sites["app_store"].base_url, "app_id": APP_ID,
         "countries": ["fr", "us"], "languages": ["fr", "en"]},
        {"id": "boulangerie-android", "type": "google_play", "url": sites["google_play"].base_url, "app_id": PLAY_ID,
         "language": "fr", "countries": ["fr"], "languages": ["fr"]},
        {"id": "lyon-news", "type": "feed", "url": sites["feeds"].url("/actualites-lyon.xml")},
        {"id": "citytalk", "type": "feed", "url": sites["feeds"].url("/forum-1.xml")},
        {"id": "broken-feed", "type": "feed", "url": sites["feeds"].url("/broken.xml")},
        {"id": "comptoir", "type": "sitemap", "url": sites["sitemap"].url("/sitemap_index.xml"),
         "url_pattern": r"/boutiques/[a-z-]+\.html$"},
    ]
    config = crawl_config(sources)
    for entity in config["entities"]:
        if entity["sources"][0]["type"] == "feed":
            entity.update(name="Café du Port", aliases=["Harbour Café"])
    return config


@pytest.fixture(scope="module")
def crawls(sites, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("platforms")
    config = _config(sites)
    runs = {}
    for name in ("first", "second"):
        before = {key: len(site.requested_paths) for key, site in sites.items()}
        run = run_crawl_subprocess(workdir, config, output_name=f"{name}.jsonl")
        assert run.report is not None, run.stderr[-3000:]
        run.paths = {key: [p for p in site.requested_paths[before[key]:] if p != "/robots.txt"]
                     for key, site in sites.items()}
        runs[name] = run
    return runs


def _records(run, kind, source):
    return [record for record in run.records(kind) if record["source"] == source]


def test_trustpilot_style_pages_are_read_from_next_data_and_paged(crawls):
    first = crawls["first"]
    reviews = _records(first, "reviews", "theiere")
    assert len(reviews) == 7 and first.source("theiere")["pages"] == 3
    lost = next(r for r in reviews if r["title"] == "Colis perdu")
    assert (lost["rating"], lost["language"], lost["published_at"]) == (1.0, "fr", "2024-06-19T09:12:00Z")
    assert lost["url"].endswith("/reviews/66a1f0c2e4b0000000000002")
    (snapshot,) = _records(first, "snapshots", "theiere")
    assert (snapshot["average"], snapshot["review_count"]) == (3.6, 7)
    assert first.source("theiere")["complete_listing"] and first.source("theiere")["health"] == "ok"
    assert first.source("theiere")["unexpected_languages"] == {"fr": 2, "en": 1}  # page 3 is in English


def test_app_store_and_google_play_pages_in_their_listed_languages_are_not_counted(crawls):
    for source in ("trailnote-ios", "boulangerie-android"):
        assert crawls["first"].source(source)["unexpected_languages"] == {}


def test_app_store_feed_is_read_per_country_with_a_snapshot_each(crawls):
    first = crawls["first"]
    reviews = _records(first, "reviews", "trailnote-ios")
    assert sorted(r["external_id"] for r in reviews) == ["10987654300", "10987654320", "10987654321", "20987654321"]
    assert sorted(first.paths["app_store"]) == sorted([
        f"/lookup?id={APP_ID}&country=fr", f"/fr/rss/customerreviews/page=1/id={APP_ID}/sortby=mostrecent/json",
        f"/lookup?id={APP_ID}&country=us", f"/us/rss/customerreviews/page=1/id={APP_ID}/sortby=mostrecent/json",
        f"/fr/rss/customerreviews/page=2/id={APP_ID}/sortby=mostrecent/json",
    ])
    bug = next(r for r in reviews if r["external_id"] == "10987654320")
    assert (bug["rating"], bug["language"], bug["published_at"]) == (2.0, "fr", "2024-06-19T04:40:02Z")
    assert sorted(s["average"] for s in _records(first, "snapshots", "trailnote-ios")) == [4.21, 4.5]


def test_google_play_reviews_follow_continuation_tokens(crawls):
    first = crawls["first"]
    reviews = _records(first, "reviews", "boulangerie-android")
    assert [r["external_id"] for r in reviews] == [f"gp:AOqpTOFixture0{n}" for n in range(1, 6)]
    assert reviews[1]["rating"] == 1.0 and reviews[1]["published_at"] == "2024-06-19T12:26:40Z"
    assert [p for p in first.paths["google_play"] if p.startswith("POST")] == [
        "POST /_/PlayStoreUi/data/batchexecute?hl=fr&gl=fr"] * 3
    (snapshot,) = _records(first, "snapshots", "boulangerie-android")
    assert (snapshot["average"], snapshot["rating_count"]) == (3.8, 2940)


def test_feed_entries_naming_the_entity_become_mentions_with_the_matched_span(crawls):
    first = crawls["first"]
    news = {m["url"].rsplit("/", 1)[-1]: m for m in _records(first, "mentions", "lyon-news")}
    assert set(news) == {"cafe-du-port-terrasse", "brunchs"}  # "port" and "café" apart is no mention
    assert news["cafe-du-port-terrasse"]["matched_span"] == "Café du Port"
    assert news["brunchs"]["matched_span"] == "cafe du port"
    assert news["cafe-du-port-terrasse"]["text"].startswith("Après trois mois de travaux")
    assert news["brunchs"]["published_at"] == "2024-06-18T08:00:00Z"
    forum = _records(first, "mentions", "citytalk")
    assert sorted(m["matched_span"] for m in forum) == ["Harbour Café", "cafe du port"]  # page 2 via rel=next
    assert first.source("lyon-news")["dropped"] == {}


def test_a_feed_that_is_not_a_feed_is_reported_not_crashed(crawls):
    broken = crawls["first"].source("broken-feed")
    assert broken["health"] in ("empty", "degraded") and broken["health_problems"]


def test_sitemap_discovery_reads_every_matching_store_page(crawls):
    first = crawls["first"]
    reviews = _records(first, "reviews", "comptoir")
    assert sorted(r["external_id"].rsplit("/", 1)[-1] for r in reviews) == ["i-1", "l-1", "l-2", "n-1", "n-2"]
    assert sorted(s["average"] for s in _records(first, "snapshots", "comptoir")) == [3.2, 4.0, 4.3]
    assert not [p for p in first.paths["sitemap"] if "blog/" in p]


def test_a_second_crawl_stops_at_known_pages_on_every_platform(crawls):
    second = crawls["second"]
    assert second.paths["trustpilot"] == ["/review/maison-theiere.example"]
    assert [p for p in second.paths["app_store"] if "page=2" in p] == []
    assert len([p for p in second.paths["google_play"] if p.startswith("POST")]) == 1
    assert second.paths["feeds"].count("/forum-2.xml") == 0
    assert not [p for p in second.paths["sitemap"] if p.startswith("/boutiques/")]  # nothing modified since
    for source in ("theiere", "trailnote-ios", "boulangerie-android", "citytalk", "comptoir"):
        report = second.source(source)
        assert report["new_reviews"] == 0 and report["health"] == "ok", (source, report)
