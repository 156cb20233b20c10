"""Rendering rating-drop alerts in English and French, and building safe messages (pure logic)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy

import pytest

from search.backends.base import RatingStats
from search.documents import Entity, Review, make_review_id
from workers.alerts.email import UnsafeHeaderError, build_message, render_alert
from workers.alerts.formatting import Formatter
from workers.alerts.rules.rating_drop import CompetitorRating, RatingDropMatch, rating_drop_windows

NOW = datetime(2024, 3, 12, 10, 0, tzinfo=timezone.utc)


def make_match(old=4.4, new=3.9, recent_count=23, baseline_count=61) -> RatingDropMatch:
    baseline, recent = rating_drop_windows(NOW, 7, 30)
    return RatingDropMatch(
        rule_id="rating-drop", rule_type="rating_drop", entity_id="cafe-lumiere", evaluated_at=NOW,
        old_average=old, new_average=new, drop=round(old - new, 9),
        baseline_count=baseline_count, recent_count=recent_count,
        baseline_window=baseline, recent_window=recent,
    )


def make_review(rating: float, text: str, days_ago: int, url: str | None = None) -> Review:
    published = NOW - timedelta(days=days_ago)
    return Review(
        review_id=make_review_id("lumiere-site", text=text, published_at=published),
        source="lumiere-site", platform="schema_org", entity_id="cafe-lumiere",
        rating=rating, text=text, published_at=published, url=url,
    )


def explanation(language: str) -> dict:
    if language == "fr":
        texts = ["Service interminable, croissant rassis et personne pour s'excuser.", "Café tiède, dommage."]
    else:
        texts = ["Waited forty minutes for a cold flat white, staff ignored us.", "Tables were sticky."]
    return {
        "lowest_rated": [make_review(1, texts[0], 2, "https://reviews.example/r/1"), make_review(2, texts[1], 5)],
        "competitors": [
            CompetitorRating("bistro-soleil", "Bistro Soleil", RatingStats("bistro-soleil", 12, 4.25),
                             RatingStats("bistro-soleil", 40, 4.3)),
            CompetitorRating("the-kettle", "The Kettle", RatingStats("the-kettle", 0, None),
                             RatingStats("the-kettle", 3, 4.0)),
        ],
    }


def entity(language: str = "en", **overrides) -> Entity:
    fields = dict(id="cafe-lumiere", name="Café Lumière", group="old-town", language=language,
                  recipients=["owner@lumiere.example"])
    return Entity(**{**fields, **overrides})


def test_english_subject_and_body_say_why():
    rendered = render_alert(make_match(), entity("en"), explanation("en"), group_name="Old Town cafés")

    assert rendered.subject == "Café Lumière: 4.4★ → 3.9★ over 7 days (−0.5, 23 reviews)"
    text = rendered.text
    assert "The average rating of Café Lumière dropped by 0.5 stars." in text
    assert "Last 7 days (5 Mar 2024 – 12 Mar 2024): 3.9★ from 23 reviews" in text
    assert "The 30 days before (4 Feb 2024 – 5 Mar 2024): 4.4★ from 61 reviews" in text
    assert '1★ on 10 Mar 2024 (lumiere-site): "Waited forty minutes for a cold flat white, staff ignored us."' in text
    assert '2★ on 7 Mar 2024 (lumiere-site): "Tables were sticky."' in text
    assert "Competitors in Old Town cafés over the same 7 days:" in text
    assert "Bistro Soleil: 4.2★ from 12 reviews (before: 4.3★)" in text
    assert "The Kettle: no reviews in this period" in text
    html = rendered.html
    for fragment in ("Café Lumière", "4.4★", "3.9★", "23 reviews", "Waited forty minutes", "Bistro Soleil",
                     'href="https://reviews.example/r/1"', '<html lang="en">'):
        assert fragment in html


def test_french_subject_and_body_use_french_words_and_decimal_commas():
    rendered = render_alert(make_match(), entity("fr"), explanation("fr"), group_name="Cafés de la vieille ville")

    assert rendered.subject == "Café Lumière : 4,4★ → 3,9★ sur 7 jours (−0,5, 23 avis)"
    text = rendered.text
    assert "La note moyenne de Café Lumière a baissé de 0,5 étoile." in text
    assert "7 derniers jours (5 mars 2024 – 12 mars 2024) : 3,9★ sur 23 avis" in text
    assert "Les 30 jours précédents (4 févr. 2024 – 5 mars 2024) : 4,4★ sur 61 avis" in text
    assert "1★ le 10 mars 2024 (lumiere-site) : « Service interminable, croissant rassis" in text
    assert "Concurrents (Cafés de la vieille ville) sur la même période :" in text
    assert "Bistro Soleil : 4,2★ sur 12 avis (avant : 4,3★)" in text
    assert "The Kettle : aucun avis sur la période" in text
    assert '<html lang="fr">' in rendered.html and "Service interminable" in rendered.html
    assert rendered.language == "fr"


def test_without_group_or_reviews_the_sections_are_left_out():
    rendered = render_alert(make_match(recent_count=1), entity("en", group=None),
                            {"lowest_rated": [], "competitors": []})

    assert rendered.subject.endswith("(−0.5, 1 review)")
    assert "Competitors" not in rendered.text and "Lowest-rated" not in rendered.text
    assert "Competitors" not in rendered.html


def test_review_text_is_escaped_in_html_and_unsafe_links_dropped():
    hostile = {
        "lowest_rated": [make_review(1, "<script>alert('x')</script> awful", 1, "javascript:alert(1)")],
        "competitors": [],
    }

    rendered = render_alert(make_match(), entity("en"), hostile)

    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html
    assert "javascript:" not in rendered.html
    assert "<script>alert('x')</script> awful" in rendered.text  # plain text needs no escaping


def test_displayed_drop_matches_the_displayed_averages():
    assert Formatter("en").rating_change(4.44, 3.86).drop == "−0.5"  # 4.4 → 3.9, not −0.6
    fine = Formatter("fr").rating_change(4.04, 3.96)  # both round to 4,0: use two decimals
    assert (fine.old, fine.new, fine.drop) == ("4,04★", "3,96★", "−0,08")


def test_long_quotes_are_cut_at_a_word():
    quote = Formatter.quote("word " * 100, limit=40)

    assert len(quote) <= 40 and quote.endswith("word…")
    assert Formatter.quote("  two\nlines  ") == "two lines"


def test_message_is_multipart_alternative_with_ids_and_both_parts():
    rendered = render_alert(make_match(), entity("en"), explanation("en"))

    message = build_message(rendered, sender="starwatch <alerts@starwatch.example>",
                            recipients=["owner@lumiere.example", "manager@lumiere.example"], date=NOW)

    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    assert parsed["Subject"] == rendered.subject
    assert parsed["To"] == "owner@lumiere.example, manager@lumiere.example"
    assert parsed["Message-ID"].startswith("<") and parsed["Message-ID"].endswith("@starwatch.example>")
    assert parsed["Date"] == "Tue, 12 Mar 2024 10:00:00 +0000"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert "Café Lumière" in parsed.get_body(("plain",)).get_content()
    assert "<html" in parsed.get_body(("html",)).get_content()


def test_entity_name_with_line_breaks_cannot_add_headers():
    # Entity validation refuses such names; model_construct skips it to prove the email layer holds too.
    hostile = Entity.model_construct(
        id="cafe-lumiere", name="Café\r\nBcc: thief@evil.example\r\n", group=None, language="en",
        recipients=["owner@lumiere.example"], aliases=[], sources=[],
    )
    rendered = render_alert(make_match(), hostile, {"lowest_rated": [], "competitors": []})

    message = build_message(rendered, sender="alerts@starwatch.example", recipients=["owner@lumiere.example"],
                            extra_headers={"X-Starwatch-Entity": "cafe\r\nBcc: thief@evil.example"})

    raw = message.as_bytes()
    parsed = message_from_bytes(raw, policy=policy.default)
    header_block = raw.split(b"\n\n", 1)[0]
    assert parsed["Bcc"] is None
    assert b"\nBcc:" not in header_block and b"\rBcc:" not in header_block
    assert parsed["X-Starwatch-Entity"] == "cafe Bcc: thief@evil.example"
    assert "\n" not in parsed["Subject"] and parsed["Subject"].startswith("Café Bcc: thief@evil.example")


@pytest.mark.parametrize(
    "recipient",
    ["owner@lumiere.example\r\nBcc: thief@evil.example", "owner@lumiere.example\nCc: x@evil.example", "not an address"],
)
def test_recipient_with_line_break_or_garbage_is_refused_with_a_clear_message(recipient):
    rendered = render_alert(make_match(), entity("en"), {"lowest_rated": [], "competitors": []})

    with pytest.raises(UnsafeHeaderError, match="recipients"):
        build_message(rendered, sender="alerts@starwatch.example", recipients=[recipient])


def test_sender_with_line_break_is_refused_naming_the_setting():
    rendered = render_alert(make_match(), entity("en"), {"lowest_rated": [], "competitors": []})

    with pytest.raises(UnsafeHeaderError, match="STARWATCH_SMTP__SENDER"):
        build_message(rendered, sender="alerts@starwatch.example\r\nBcc: x@evil.example",
                      recipients=["owner@lumiere.example"])
