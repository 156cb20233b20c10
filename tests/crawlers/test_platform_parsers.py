"""The platform parsers on odd answers: no exception, a coded error, every valid entry kept."""

import json

from crawlers.parsers.app_store import extract_app_store_feed, extract_app_store_lookup
from crawlers.parsers.dates import parse_review_date
from crawlers.parsers.feeds import find_mention, parse_feed
from crawlers.parsers.google_play import extract_google_play_reviews, reviews_form
from crawlers.parsers.load_more import extract_load_more
from crawlers.parsers.ratings import parse_rating
from crawlers.parsers.text import looks_unrendered
from crawlers.parsers.trustpilot import extract_next_data_reviews


def test_ratings_as_glyphs_and_aria_labels():
    assert parse_rating("★★★★☆").value == 4.0
    assert parse_rating("★★★⯪☆").value == 3.5
    assert parse_rating("Rated 4.4 out of 5 stars").value == 4.4
    assert parse_rating("Note : 4,5 sur 5 étoiles").value == 4.5
    assert parse_rating("4.6666666666666666666666666666666666666666666666667").value == 4.6667


def test_dates_inside_phrases_in_the_page_language():
    assert parse_review_date("Publiée le 17 octobre 2013", ["fr"]).date().isoformat() == "2013-10-17"
    assert parse_review_date("Date of experience: March 03, 2024", ["fr"]).date().isoformat() == "2024-03-03"
    assert parse_review_date("quelque part en mai", ["fr"]) is None


def test_unrendered_templates_are_recognised():
    assert looks_unrendered("<&=rating&>") and looks_unrendered("{{ review.body }}") and looks_unrendered("${note}")
    assert not looks_unrendered("Prix {moyen} <3 & plus >")


def test_trustpilot_page_without_its_data_script_says_so():
    page = extract_next_data_reviews(b"<html><body><h1>Maintenance</h1></body></html>")
    assert page.reviews == [] and page.errors[0].startswith("next_data_missing")
    broken = extract_next_data_reviews(b'<script id="__NEXT_DATA__" type="application/json">{"props": </script>')
    assert broken.errors[0].startswith("json_invalid")


def test_app_store_feed_without_entries_or_with_the_app_entry_first():
    assert extract_app_store_feed({"feed": {"title": {"label": "x"}}}).reviews == []
    app_entry = {"im:name": {"label": "TrailNote"}, "id": {"label": "1"}}
    review = {"im:rating": {"label": "3"}, "id": {"label": "9"}, "content": {"label": "Bien"}}
    assert [r["external_id"] for r in extract_app_store_feed({"feed": {"entry": [app_entry, review]}}).reviews] == ["9"]
    assert extract_app_store_feed([1, 2]).errors[0].startswith("feed_missing")
    assert extract_app_store_lookup({"resultCount": 0, "results": []}) is None


def test_google_play_answers_that_do_not_fit():
    assert extract_google_play_reviews(b"<html>quota</html>").errors[0].startswith("json_invalid")
    empty = ")]}'\n\n" + json.dumps([["wrb.fr", "UsvDTd", None, None, None, None, "generic"]])
    assert extract_google_play_reviews(empty.encode()).reviews == []
    odd = ")]}'\n" + json.dumps([["wrb.fr", "UsvDTd", json.dumps([[["id-1", None, 4]], None])]])
    (review,) = extract_google_play_reviews(odd).reviews
    assert (review["external_id"], review["rating_value"], review["author_name"], review["date"]) == ("id-1", 4, None, None)
    assert "tok-7" in reviews_form("example.app", "tok-7")["f.req"]


def test_load_more_answers():
    assert extract_load_more(b"{oops", "http://x/").errors[0].startswith("json_invalid")
    page = extract_load_more(b'{"items": [], "next": null}', "http://x/api?page=2")
    assert (page.reviews, page.has_more) == ([], False)


def test_feeds_and_mention_matching():
    assert parse_feed(b"<html><body>502</body></html>", "http://x/").errors[0].startswith("feed_invalid")
    assert find_mention("Brunch au CAFÉ du port ce matin", ["Café du Port"]) == "CAFÉ du port"
    assert find_mention("le cafe du portail", ["Café du Port"]) is None
    assert find_mention("", ["Luna"]) is None
