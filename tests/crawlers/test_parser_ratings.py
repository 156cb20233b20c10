import math

import pytest

from crawlers.parsers.ratings import RatingError, parse_count, parse_rating


@pytest.mark.parametrize(
    ("raw", "best", "worst", "expected"),
    [
        ("4", None, None, (4.0, 4.0, 5.0, None)),
        (4.5, None, None, (4.5, 4.5, 5.0, None)),
        ("4,5", None, None, (4.5, 4.5, 5.0, None)),
        ("4.5/5", None, None, (4.5, 4.5, 5.0, None)),
        ("9/10", None, None, (4.5, 9.0, 10.0, None)),
        ("80 %", None, None, (4.0, 80.0, 100.0, 0.0)),
        ("3 sur 5", None, None, (3.0, 3.0, 5.0, None)),
        ("7", "10", "1", (3.5, 7.0, 10.0, 1.0)),
        (80, 100, 0, (4.0, 80.0, 100.0, 0.0)),
        ("9/10", "10", None, (4.5, 9.0, 10.0, None)),
    ],
)
def test_displayed_ratings_map_to_five_stars_and_keep_the_original(raw, best, worst, expected):
    assert tuple(parse_rating(raw, best, worst)) == expected


def test_one_star_on_a_one_to_five_scale_stays_one_star():
    assert parse_rating("1", "5", "1").value == 1.0


def test_a_scale_with_negative_worst_is_mapped_linearly():
    assert parse_rating(0, best=2, worst=-2).value == 2.5


@pytest.mark.parametrize(
    ("raw", "best", "worst", "reason"),
    [
        ("11/10", None, None, "above_best"),
        ("6", None, None, "above_best"),
        ("-1", None, None, "negative"),
        ("abc", None, None, "not_a_number"),
        ("nan", None, None, "not_a_number"),
        (math.nan, None, None, "not_finite"),
        (math.inf, None, None, "not_finite"),
        ("", None, None, "missing"),
        (None, None, None, "missing"),
        (True, None, None, "not_a_number"),
        ("3", "5", "4", "below_worst"),
        ("3", "0", None, "bad_scale"),
        ("3", "5", "5", "bad_scale"),
        ("4/5", "10", None, "scale_mismatch"),
        ("3", "five", None, "not_a_number"),
    ],
)
def test_impossible_ratings_raise_with_a_reason(raw, best, worst, reason):
    with pytest.raises(RatingError) as caught:
        parse_rating(raw, best, worst)
    assert caught.value.reason == reason
    assert caught.value.detail in str(caught.value)


@pytest.mark.parametrize(("raw", "expected"), [
    (12, 12), ("27", 27), ("1 234", 1234), ("1,234", 1234), (None, None), ("", None), (3.0, 3),
])
def test_counts_accept_thousand_separators(raw, expected):
    assert parse_count(raw) == expected


@pytest.mark.parametrize("raw", ["-3", "douze", 2.5, -1, "1,5", True])
def test_counts_that_are_not_whole_non_negative_numbers_raise(raw):
    with pytest.raises(RatingError) as caught:
        parse_count(raw)
    assert caught.value.reason == "not_a_count"
