"""``starwatch extract``: on saved pages, on local URLs, and refusing what a crawl would refuse.

The capability is called in-process for the detailed checks (``extract_page``); a few calls go
through the real command line to check what a user sees.
"""

import json
import os
import subprocess
import sys

import pytest
from crawler_support import REPO_ROOT, SITES, make_settings

from config.settings import Settings
from crawlers.fetch import FetchError
from starwatch.capabilities.extraction import ExtractionError, extract_page, guess_platform

MESSY = SITES / "schema_org_messy"


def _cli(*args, cwd):
    env = {k: v for k, v in os.environ.items() if not k.startswith("STARWATCH_")}
    env.update(STARWATCH_PRIVACY__AUTHOR_SALT="extract-tests", PYTHONPATH=str(REPO_ROOT))
    return subprocess.run([sys.executable, "-m", "starwatch.cli", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=120)


def test_a_saved_page_shows_reviews_snapshot_and_every_drop_with_its_reason():
    result = extract_page(make_settings(), str(MESSY / "hotel" / "page-1.html"))
    assert result.platform == "schema_org"
    assert sorted(r.external_id.rsplit("/", 1)[-1] for r in result.reviews) == ["h-1", "h-2"]
    assert [s.average for s in result.snapshots] == [4.6667]
    reasons = sorted(drop.split(":", 1)[0] for drop in result.dropped)
    assert reasons == ["duplicate", "unrendered_template", "unrendered_template"]
    assert result.page_problems["field/rating/invalid"] == 1


@pytest.mark.parametrize(("path", "platform"), [
    ("trustpilot/review/maison-theiere.example", "trustpilot"),
    ("google_play/_/PlayStoreUi/data/batchexecute__first", "google_play"),
    ("app_store/us/rss/customerreviews/page=1/id=1234567890/sortby=mostrecent/json", "app_store"),
    ("feeds/forum-1.xml", "feed"),
    ("schema_org_shop/reviews/page-2.html", "schema_org"),
])
def test_the_platform_is_guessed_from_the_content(path, platform):
    assert guess_platform((SITES / path).read_bytes()) == platform


def test_feed_entries_are_matched_against_the_given_entity():
    settings = Settings(**{**make_settings().model_dump(mode="json", exclude={"privacy"}), "entities": [
        {"id": "port", "name": "Café du Port", "aliases": ["Harbour Café"]}]})
    result = extract_page(settings, str(SITES / "feeds" / "forum-1.xml"), entity_id="port")
    assert [m.matched_span for m in result.mentions] == ["Harbour Café"]
    assert result.page_problems == {"feed/unmatched": 1}
    assert [url.rsplit("/", 1)[-1] for url in result.next_pages] == ["forum-2.xml"]


def test_a_local_url_is_fetched_and_extracted(schema_org_shop):
    result = extract_page(make_settings(), schema_org_shop.url("/reviews/page-1.html"))
    assert len(result.reviews) == 4 and result.next_pages == [schema_org_shop.url("/reviews/page-2.html")]


def test_robots_txt_and_the_address_policy_apply_to_extract(schema_org_shop):
    with pytest.raises(FetchError, match="robots.txt"):
        extract_page(make_settings(), schema_org_shop.url("/private/page-4.html"))
    with pytest.raises(Exception, match="allow_loopback"):
        extract_page(make_settings(crawl={"allow_loopback": False}), schema_org_shop.url("/reviews/page-1.html"))


def test_an_unknown_platform_says_which_exist():
    with pytest.raises(ExtractionError, match="schema_org, trustpilot"):
        extract_page(make_settings(), str(MESSY / "hotel" / "page-1.html"), platform="yelp")


def test_the_command_prints_json_for_a_local_url(schema_org_shop, tmp_path):
    config = tmp_path / "starwatch.yaml"
    config.write_text("crawl:\n  allow_loopback: true\n", encoding="utf-8")
    result = _cli("--config", str(config), "extract", schema_org_shop.url("/reviews/page-3.html"), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data["reviews"]) == 3 and len(data["dropped"]) == 3  # r-101 is no repeat on its own
    assert any(drop.startswith("rating_above_best") for drop in data["dropped"])


def test_the_command_explains_a_missing_file_in_one_line(tmp_path):
    result = _cli("extract", "no-such-page.html", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("starwatch: error: no-such-page.html is neither")
