from datetime import datetime, timedelta, timezone

import pytest

from crawlers.parsers.dates import is_relative_date, parse_review_date

NOW = datetime(2024, 5, 10, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("raw", "languages", "expected"),
    [
        ("2024-03-02", None, datetime(2024, 3, 2, tzinfo=timezone.utc)),
        ("2024-01-15T09:30:00+01:00", None, datetime(2024, 1, 15, 8, 30, tzinfo=timezone.utc)),
        ("17 octobre 2013", ["fr"], datetime(2013, 10, 17, tzinfo=timezone.utc)),
        ("17 octobre 2013", None, datetime(2013, 10, 17, tzinfo=timezone.utc)),
        ("March 3, 2024", ["en"], datetime(2024, 3, 3, tzinfo=timezone.utc)),
        ("2 weeks ago", ["en"], NOW - timedelta(weeks=2)),
        ("il y a 3 jours", ["fr"], NOW - timedelta(days=3)),
        ("il y a 3 jours", None, NOW - timedelta(days=3)),
    ],
)
def test_dates_become_aware_utc(raw, languages, expected):
    parsed = parse_review_date(raw, languages, now=NOW)
    assert parsed == expected
    assert parsed.tzinfo is not None and parsed.utcoffset() == timedelta(0)


def test_the_language_hint_decides_day_month_order():
    assert parse_review_date("05/03/2024", ["fr-FR"], now=NOW) == datetime(2024, 3, 5, tzinfo=timezone.utc)
    assert parse_review_date("05/03/2024", ["en"], now=NOW) == datetime(2024, 5, 3, tzinfo=timezone.utc)


@pytest.mark.parametrize("raw", ["abc", "", "   ", None, "bientôt"])
def test_unparseable_dates_give_none(raw):
    assert parse_review_date(raw, ["fr"], now=NOW) is None


def test_a_date_in_the_future_is_not_a_publication_date():
    assert parse_review_date("2024-06-01", now=NOW) is None
    assert parse_review_date("2024-05-10T20:00:00Z", now=NOW) is not None  # same day, other zone


def test_an_unknown_language_hint_falls_back_to_english_and_french():
    assert parse_review_date("il y a 3 jours", ["xx-bogus"], now=NOW) == NOW - timedelta(days=3)


def test_naive_datetimes_are_taken_as_utc():
    assert parse_review_date(datetime(2024, 1, 1), now=NOW) == datetime(2024, 1, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize(("raw", "relative"), [
    ("il y a 3 jours", True), ("2 weeks ago", True), ("17 octobre", True),
    ("17 octobre 2013", False), ("2024-03-02", False), ("abc", False), (None, False),
])
def test_relative_dates_are_recognised(raw, relative):
    assert is_relative_date(raw, ["fr", "en"]) is relative


def _count_dateparser_calls(monkeypatch) -> list[str]:
    """Record each string handed to dateparser; start with nothing remembered."""
    from crawlers.parsers import dates

    calls: list[str] = []
    read = dates._dateparser
    monkeypatch.setattr(dates, "_dateparser", lambda text, languages, base: calls.append(text) or read(
        text, languages, base))
    monkeypatch.setattr(dates, "_forms", {})
    return calls


def test_an_absolute_date_is_read_by_dateparser_once_then_remembered(monkeypatch):
    calls = _count_dateparser_calls(monkeypatch)
    for _ in range(3):  # each review: validation reads the date, normalisation reads it and asks if relative
        assert parse_review_date("18 octobre 2013", ["fr"], now=NOW) == datetime(2013, 10, 18, tzinfo=timezone.utc)
        assert is_relative_date("18 octobre 2013", ["fr"]) is False
    assert calls == ["18 octobre 2013"] * 2  # against now and 400 days earlier, once
    assert parse_review_date("18 octobre 2013", ["fr"], now=datetime(2013, 1, 1, tzinfo=timezone.utc)) is None


def test_a_relative_date_is_read_again_against_each_now(monkeypatch):
    calls = _count_dateparser_calls(monkeypatch)
    later = NOW + timedelta(days=1)
    assert parse_review_date("il y a 4 jours", ["fr"], now=NOW) == NOW - timedelta(days=4)
    assert parse_review_date("il y a 4 jours", ["fr"], now=later) == later - timedelta(days=4)
    assert is_relative_date("il y a 4 jours", ["fr"]) is True
    assert len(calls) == 3  # two to learn it is relative, one for the second reading


def test_the_memory_of_date_strings_is_bounded(monkeypatch):
    from crawlers.parsers import dates

    _count_dateparser_calls(monkeypatch)
    monkeypatch.setattr(dates, "_FORMS_MAX", 3)
    for day in range(1, 8):
        parse_review_date(f"{day} octobre 2013", ["fr"], now=NOW)
    assert len(dates._forms) <= 3
