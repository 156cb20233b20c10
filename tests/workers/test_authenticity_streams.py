"""Near-duplicates (MinHash/LSH), high-volume days (Poisson) and gated streams (binomial), on invented data."""

from __future__ import annotations

import random
from datetime import date, timedelta

from tests.workers.authenticity_support import BURST_TEMPLATE, START, TextMaker, burst, ordinary_stream
from workers.authenticity.arrivals import gated_windows, high_volume_days
from workers.authenticity.duplicates import TextItem, find_duplicate_pairs

LONG = "The espresso here is rich and the pastry chef clearly knows her craft, we will come back soon."
EDITED = "The espresso here is rich and the pastry chef clearly knows his craft, we will be back very soon!"


def items(*rows):
    return [TextItem(f"r{i}", entity, author, text) for i, (entity, author, text) in enumerate(rows)]


def kinds(pairs):
    return sorted((p.first, p.second, p.kind) for p in pairs)


def test_edited_copy_by_another_author_is_a_near_duplicate():
    pairs = find_duplicate_pairs(items(("cafe", "a1", LONG), ("cafe", "a2", EDITED), ("cafe", "a3", "Quiet place.")))
    assert kinds(pairs) == [("r0", "r1", "near_duplicate")]
    assert 0.5 <= pairs[0].similarity < 1.0


def test_who_wrote_the_copy_decides_what_it_means():
    pairs = find_duplicate_pairs(items(
        ("cafe", "a1", LONG), ("bar", "a9", EDITED),    # another author, another business
        ("shoe-red", "a5", LONG + " Red."), ("shoe-blue", "a5", LONG + " Red."),  # sibling listings
    ))
    found = {(p.first, p.second): p.kind for p in pairs}
    assert found[("r0", "r1")] == "duplicate_across_entities"
    assert found[("r2", "r3")] == "cross_listed"


def test_same_author_twice_on_one_business_is_a_repeat():
    (pair,) = find_duplicate_pairs(items(("cafe", "a1", LONG), ("cafe", "a1", EDITED)))
    assert pair.kind == "same_author_repeat"


def test_short_texts_match_only_the_same_authors_exact_copies():
    pairs = find_duplicate_pairs(items(("cafe", "a1", "Love them!"), ("bar", "a2", "Love them!"),
                                       ("shoe-red", "a7", "love them"), ("shoe-blue", "a7", "Love them!")))
    assert kinds(pairs) == [("r2", "r3", "cross_listed")]


def test_ordinary_invented_stream_has_no_near_duplicates_and_a_burst_is_one_group():
    maker = TextMaker()
    stream = ordinary_stream("cafe", 60, maker=maker) + ordinary_stream("bar", 60, seed=2, maker=maker)
    planted = burst("cafe", 8, START + timedelta(days=100))
    pairs = find_duplicate_pairs([TextItem(r.review_id, r.entity_id, r.author_hash, r.text) for r in stream + planted])
    planted_ids = {r.review_id for r in planted}
    assert pairs and all(p.first in planted_ids and p.second in planted_ids for p in pairs)
    assert "{" not in BURST_TEMPLATE.format(place="x", adjective="y", item="z", end="!")


def steady_days(per_week: int, weeks: int, seed: int = 3) -> list[date]:
    rng = random.Random(seed)
    return [date(2025, 1, 6) + timedelta(days=rng.randrange(weeks * 7)) for _ in range(per_week * weeks)]


def test_a_burst_day_is_a_high_volume_day_with_its_numbers():
    days = steady_days(2, 40) + [date(2025, 5, 5)] * 9
    found = high_volume_days(days)
    assert date(2025, 5, 5) in found
    day = found[date(2025, 5, 5)]
    assert day.count >= 9 and day.usual_per_day < 1 and day.p_value < 0.001


def test_steady_arrivals_and_two_reviews_on_a_quiet_day_are_not_flagged():
    assert high_volume_days(steady_days(2, 40)) == {}
    assert high_volume_days([date(2025, 1, 6), date(2025, 1, 6), date(2025, 6, 1)]) == {}


def test_a_busy_business_is_judged_against_its_own_rate():
    days = steady_days(70, 20)  # ten a day
    assert high_volume_days(days + [date(2025, 3, 3)] * 4) == {}


def ratings_stream(days: int, per_day: float, low_share: float, start: date, seed: int) -> list[tuple[date, float]]:
    rng = random.Random(seed)
    count = int(days * per_day)
    return [(start + timedelta(days=rng.randrange(days)), 2.0 if rng.random() < low_share else 5.0)
            for _ in range(count)]


def test_a_stretch_without_low_ratings_is_a_gated_window():
    before = ratings_stream(300, 0.3, 0.3, date(2024, 1, 1), seed=1)
    gated = [(d, 5.0) for d, _ in ratings_stream(90, 0.6, 0.0, date(2024, 11, 1), seed=2)]
    (window,) = gated_windows(before + gated, comparison_low_share=None)
    assert date(2024, 10, 1) <= window.start <= date(2024, 11, 20) and window.end >= date(2025, 1, 15)
    assert window.low == 0
    assert window.baseline == "own history" and window.p_value < 0.001


def test_ordinary_streams_have_no_gated_window_and_short_ones_are_not_judged():
    assert gated_windows(ratings_stream(720, 0.3, 0.3, date(2023, 1, 1), seed=4), comparison_low_share=None) == []
    few = ratings_stream(60, 0.5, 0.0, date(2024, 1, 1), seed=5)
    assert gated_windows(few, comparison_low_share=None) == []  # no own history, no comparison set
    assert gated_windows(few, comparison_low_share=0.3) != []  # the comparison set can judge it
