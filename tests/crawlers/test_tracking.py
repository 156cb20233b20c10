"""The crawl tracker's decisions: incremental stop, edits, and deletions only on complete listings."""

from datetime import datetime, timedelta, timezone

from crawlers.extensions.crawl_state import listing_is_complete
from crawlers.tracking import CrawlTracker, listing_key, review_digest, review_slot
from search.crawl_records import CrawlState, KnownReview
from search.documents import Review

NOW = datetime(2024, 6, 21, tzinfo=timezone.utc)


def _review(review_id: str, text: str = "Très bon accueil", rating: float = 4.0) -> Review:
    return Review(review_id=review_id, source="s", platform="schema_org", entity_id="e", text=text, rating=rating)


def _state(**known: KnownReview) -> CrawlState:
    return CrawlState(source="s", entity_id="e", listing_keys=[listing_key("r1", None, None)], known_reviews=known)


def test_listing_keys_ignore_dates_and_cosmetic_changes():
    assert listing_key(None, "Jean Dupont", "Très  bon") == listing_key(None, "jean dupont", "tres bon")
    assert listing_key("r1", "A", "x") == listing_key(" r1 ", "B", "y")


def test_a_page_of_known_keys_stops_paging_except_in_backfill():
    known = [listing_key("r1", None, None)]
    assert CrawlTracker("s", "e", _state()).page_is_known(known)
    assert not CrawlTracker("s", "e", _state()).page_is_known(known + [listing_key("r9", None, None)])
    assert not CrawlTracker("s", "e", _state()).page_is_known([])
    assert not CrawlTracker("s", "e", _state(), backfill=True).page_is_known(known)


def test_observe_tells_new_known_and_edited_reviews():
    unchanged, edited = _review("r_1"), _review("r_2", text="Finalement décevant", rating=2.0)
    tracker = CrawlTracker("s", "e", CrawlState(source="s", entity_id="e", known_reviews={
        "r_1": KnownReview(digest=review_digest(unchanged)), "r_2": KnownReview(digest="old")}))
    assert tracker.observe(_review("r_3")).is_new
    assert not tracker.observe(unchanged).edited_now
    observed = tracker.observe(edited)
    assert observed.edited_now and observed.previous_digest == "old"
    assert tracker.new_reviews == 1
    assert tracker.finish(NOW).state.known_reviews["r_2"].edited


def test_deletion_needs_two_complete_listings_in_a_row():
    state = CrawlState(source="s", entity_id="e", known_reviews={"gone": KnownReview(digest="d")})
    first = CrawlTracker("s", "e", state).finish(NOW, complete=True)
    assert first.deleted_review_ids == [] and first.state.known_reviews["gone"].missing_streak == 1
    partial = CrawlTracker("s", "e", first.state).finish(NOW, complete=False)
    assert partial.state.known_reviews["gone"].missing_streak == 1  # an incomplete crawl says nothing
    second = CrawlTracker("s", "e", partial.state).finish(NOW, complete=True)
    assert second.deleted_review_ids == ["gone"]
    assert CrawlTracker("s", "e", second.state).finish(NOW, complete=True).deleted_review_ids == []


def test_a_listing_is_complete_only_when_it_ended_without_being_cut_short():
    tracker = CrawlTracker("s", "e")
    tracker.note_end_of_listing()
    assert tracker.complete_listing
    tracker.note_cut_short("request_failed")
    assert not tracker.complete_listing


# -- reviews without a platform id: an edit changes their fingerprint id -------------------------

DAY = datetime(2024, 6, 3, 9, 30, tzinfo=timezone.utc)


def _idless(review_id: str, text: str, author: str | None = "a_marie", day: datetime | None = DAY) -> Review:
    return Review(review_id=review_id, source="s", platform="schema_org", entity_id="e", text=text, rating=4.0,
                  author_hash=author, published_at=day)


def _known_from(*reviews: Review) -> CrawlState:
    """The state a complete first crawl of ``reviews`` leaves."""
    tracker = CrawlTracker("s", "e")
    for review in reviews:
        assert tracker.observe(review).is_new
    tracker.note_end_of_listing()
    return tracker.finish(NOW).state


def _crawl(state: CrawlState, *reviews: Review, end: bool = True, cut_short: str | None = None):
    """Observe ``reviews`` as one crawl, release the held ones; returns (tracker, {id: observation})."""
    tracker = CrawlTracker("s", "e", state)
    seen = {review.review_id: tracker.observe(review) for review in reviews}
    if end:
        tracker.note_end_of_listing()
    if cut_short:
        tracker.note_cut_short(cut_short)
    seen.update({review.review_id: observation for review, observation in tracker.release_held()})
    return tracker, seen


def test_an_edited_review_without_platform_id_keeps_its_first_id():
    state = _known_from(_idless("r_old", "Très bon accueil"), _idless("r_other", "Bof", author="a_paul"))
    edited = _idless("r_new", "Accueil froid finalement")
    tracker = CrawlTracker("s", "e", state)
    assert tracker.observe(edited).held  # did r_old vanish? only the rest of the listing can tell
    assert not tracker.observe(_idless("r_other", "Bof", author="a_paul")).held
    tracker.note_end_of_listing()
    ((review, observation),) = tracker.release_held()
    assert review is edited and observation.review_id == "r_old" and observation.edited_now
    assert tracker.new_reviews == 0
    outcome = tracker.finish(NOW)
    assert outcome.deleted_review_ids == [] and "r_new" not in outcome.state.known_reviews
    known = outcome.state.known_reviews["r_old"]
    assert (known.seen_as, known.edited, known.missing_streak) == ("r_new", True, 0)

    # Later crawls find it by its new fingerprint at once, and never call it deleted.
    for _ in range(3):
        tracker, seen = _crawl(outcome.state, edited, _idless("r_other", "Bof", author="a_paul"))
        assert seen["r_new"].review_id == "r_old" and not seen["r_new"].edited_now and seen["r_new"].edited_before
        outcome = tracker.finish(NOW)
        assert outcome.deleted_review_ids == [] and set(outcome.state.known_reviews) == {"r_old", "r_other"}

    # A second edit follows the same review.
    tracker, seen = _crawl(outcome.state, _idless("r_newer", "Accueil froid, mais le café est bon"))
    assert seen["r_newer"].review_id == "r_old" and seen["r_newer"].edited_now
    assert tracker.finish(NOW).state.known_reviews["r_old"].seen_as == "r_newer"


def test_a_known_review_still_listed_makes_the_unknown_one_new():
    state = _known_from(_idless("r_old", "Très bon accueil"))
    tracker, seen = _crawl(state, _idless("r_second", "Je suis revenue le soir"), _idless("r_old", "Très bon accueil"))
    assert seen["r_second"].is_new and seen["r_second"].review_id is None
    assert tracker.new_reviews == 1


def test_several_reviews_of_one_author_on_one_day_keep_the_old_behaviour():
    two_known = _known_from(_idless("r_a", "Premier avis"), _idless("r_b", "Second avis"))
    tracker, seen = _crawl(two_known, _idless("r_a2", "Premier avis, modifié"), _idless("r_b", "Second avis"))
    assert seen["r_a2"].is_new and not seen["r_a2"].held  # two candidates: no guess
    one_known = _known_from(_idless("r_a", "Premier avis"))
    tracker, seen = _crawl(one_known, _idless("r_x", "Un avis"), _idless("r_y", "Un autre avis"))
    assert seen["r_x"].is_new and seen["r_y"].is_new  # one vanished, two appeared: no guess
    assert tracker.finish(NOW, complete=True).state.known_reviews["r_a"].missing_streak == 1


def test_reviews_without_author_or_with_a_platform_id_are_never_matched_by_slot():
    anonymous = _known_from(_idless("r_anon", "Correct", author=None))
    tracker, seen = _crawl(anonymous, _idless("r_anon2", "Correct, sans plus", author=None))
    assert seen["r_anon2"].is_new and tracker.finish(NOW).state.known_reviews["r_anon"].slot is None
    with_id = _idless("r_id", "Bien").model_copy(update={"external_id": "https://x.example/avis/1"})
    assert review_slot(with_id) is None
    other_day = _known_from(_idless("r_old", "Très bon accueil"))
    tracker, seen = _crawl(other_day, _idless("r_new", "Bof", day=DAY + timedelta(days=1)))
    assert seen["r_new"].is_new  # another day, another slot


def test_no_match_unless_the_crawl_read_past_the_new_reviews():
    state = _known_from(_idless("r_old", "Très bon accueil"))
    edited = _idless("r_new", "Accueil froid finalement")
    for ending in ({"end": False}, {"cut_short": "max_pages"}, {"cut_short": "request_failed"}):
        _, seen = _crawl(state, edited, **ending)
        assert seen["r_new"].is_new, ending
    _, seen = _crawl(state, edited, end=False, cut_short="known_page")  # the incremental stop reads far enough
    assert seen["r_new"].review_id == "r_old"


def test_a_review_already_deleted_is_no_candidate():
    state = _known_from(_idless("r_old", "Très bon accueil"))
    for _ in range(2):
        state = CrawlTracker("s", "e", state).finish(NOW, complete=True).state
    assert state.known_reviews["r_old"].missing_streak == 2
    _, seen = _crawl(state, _idless("r_new", "Revenu, toujours bon"))
    assert seen["r_new"].is_new


def test_held_reviews_never_released_keep_the_listing_keys_unchanged():
    state = _known_from(_idless("r_old", "Très bon accueil"))
    tracker = CrawlTracker("s", "e", state)
    tracker.page_is_known(["t_new_page_key"])
    assert tracker.observe(_idless("r_new", "Accueil froid finalement")).held
    outcome = tracker.finish(NOW, complete=False)  # the crawl stopped before running out of pages
    assert outcome.unreleased == 1 and "r_new" not in outcome.state.known_reviews
    assert "t_new_page_key" not in outcome.state.listing_keys


def test_an_unreadable_page_makes_the_listing_incomplete():
    tracker = CrawlTracker("s", "e")
    tracker.note_end_of_listing()
    assert listing_is_complete(tracker, {}, "finished")
    assert not listing_is_complete(tracker, {"starwatch/page_errors/json_invalid": 1}, "finished")
    assert listing_is_complete(tracker, {"starwatch/page_errors/jsonld_invalid": 1}, "finished")  # one block lost
    assert not listing_is_complete(tracker, {}, "shutdown")
