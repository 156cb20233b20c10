"""The crawl tracker's decisions: incremental stop, edits, and deletions only on complete listings."""

from datetime import datetime, timezone

from crawlers.tracking import CrawlTracker, listing_key, review_digest
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
