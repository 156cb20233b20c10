"""ingest_batch() against the real SQLite store: analysis applied, bad records rejected, idempotent."""

import logging

import pytest
from worker_support import make_review, sample_batch

from config.settings import load_settings
from search.backends.base import SearchQuery
from search.factory import get_store
from workers.analysis.analyzer import Analysis
from workers.ingest import IngestResult, ingest_batch


@pytest.fixture
def store(tmp_path):
    settings = load_settings(overrides={"store": {"backend": "sqlite", "sqlite_path": str(tmp_path / "s.sqlite")}})
    store = get_store(settings)
    store.ensure_ready()
    yield store
    store.close()


def store_state(store):
    """Everything a reader can see, in a stable order."""
    page = store.search(SearchQuery(sort="date", limit=100))
    documents = sorted((hit.document.model_dump(mode="json") for hit in page.hits),
                       key=lambda document: document.get("review_id") or document["mention_id"])
    return {
        "total": page.total,
        "documents": documents,
        "reviews": store.count("review"),
        "mentions": store.count("mention"),
        "snapshots": [s.model_dump(mode="json") for s in store.latest_snapshots(["cafe-lumiere"])["cafe-lumiere"]],
    }


def test_a_batch_is_analysed_and_stored(store):
    batch = sample_batch()
    result = ingest_batch(batch, store)
    assert result == IngestResult(reviews=5, mentions=1, snapshots=1, rejected=[])
    review = store.get_review(batch["reviews"][1]["review_id"])  # "Très déçue : le plat était froid..."
    assert (review.language, review.sentiment_label) == ("fr", "negative")
    assert review.sentiment_score < 0
    english = store.get_review(batch["reviews"][3]["review_id"])
    assert (english.language, english.sentiment_label) == ("en", "positive")
    mention = store.search(SearchQuery(kinds=["mention"])).hits[0].document
    assert mention.language == "fr" and mention.sentiment_label == "positive"


def test_the_same_batch_twice_leaves_the_same_store(store):
    batch = sample_batch()
    ingest_batch(batch, store)
    after_first = store_state(store)
    ingest_batch(batch, store)
    assert store_state(store) == after_first
    assert after_first["reviews"] == 5 and after_first["mentions"] == 1 and len(after_first["snapshots"]) == 1


def test_a_malformed_record_is_rejected_and_the_rest_kept(store, caplog):
    batch = sample_batch()
    batch["reviews"][2]["rating"] = 7  # out of the 0-5 scale
    del batch["reviews"][3]["entity_id"]
    batch["reviews"].append("not a record")
    batch["snapshots"][0]["average"] = "four"
    with caplog.at_level(logging.WARNING, logger="workers.ingest"):
        result = ingest_batch(batch, store)
    assert (result.reviews, result.mentions, result.snapshots) == (3, 1, 0)
    assert len(result.rejected) == 4
    bad_rating, missing_entity, not_a_record, bad_snapshot = result.rejected
    assert bad_rating.startswith(f"reviews[2] (review_id {batch['reviews'][2]['review_id']!r}): rating:")
    assert "less than or equal to 5" in bad_rating and "(got 7)" in bad_rating
    assert missing_entity.startswith("reviews[3]") and "entity_id: Field required" in missing_entity
    assert not_a_record == "reviews[5]: expected a record (JSON object), got str"
    assert bad_snapshot.startswith("snapshots[0]") and "average" in bad_snapshot
    assert store.count("review") == 3
    # Nothing is lost: the rejected record is logged in full, so it can be replayed once fixed.
    assert any('"rating": 7' in message for message in caplog.messages)


@pytest.mark.parametrize(
    ("batch", "reason_part"),
    [
        ([{"review_id": "r_1"}], "batch: expected a mapping with keys reviews, mentions, snapshots, got list"),
        (None, "got NoneType"),
        ({"reviews": {"review_id": "r_1"}}, "'reviews' must be a list of records, got dict"),
        ({"comments": []}, "unknown key 'comments'"),
    ],
)
def test_a_malformed_batch_is_rejected_with_a_reason(store, batch, reason_part):
    result = ingest_batch(batch, store)
    assert (result.reviews, result.mentions, result.snapshots) == (0, 0, 0)
    assert len(result.rejected) == 1 and reason_part in result.rejected[0]


def test_an_empty_batch_is_fine(store):
    assert ingest_batch({}, store) == IngestResult()


def test_unscorable_reviews_are_stored_without_sentiment(store):
    review = make_review(1, "👍👍👍", 5).model_copy(update={"language": "fr"})
    ingest_batch({"reviews": [review.model_dump(mode="json")]}, store)
    stored = store.get_review(review.review_id)
    assert stored.sentiment_score is None and stored.sentiment_label is None
    assert stored.language == "fr"  # the crawler's language is kept when detection cannot tell


def test_the_title_is_analysed_with_the_text(store):
    review = make_review(1, "Nous y sommes allés un mardi soir.", 1)
    review = review.model_copy(update={"title": "Une honte, à éviter"})
    ingest_batch({"reviews": [review.model_dump(mode="json")]}, store)
    assert store.get_review(review.review_id).sentiment_label == "negative"


def test_a_failing_analyzer_does_not_lose_the_record(store):
    def broken_analyzer(text, *, language_hint=None):
        raise RuntimeError("model file missing")

    batch = sample_batch()
    result = ingest_batch(batch, store, analyzer=broken_analyzer)
    assert result.reviews == 5 and len(result.analysis_errors) == 6
    assert "model file missing" in result.analysis_errors[0]
    assert store.get_review(batch["reviews"][0]["review_id"]).sentiment_label is None


def test_the_analyzer_is_injectable(store):
    def fixed_analyzer(text, *, language_hint=None):
        return Analysis("fr", -0.5, "negative")

    batch = sample_batch()
    ingest_batch(batch, store, analyzer=fixed_analyzer)
    stored = store.get_review(batch["reviews"][0]["review_id"])
    assert (stored.language, stored.sentiment_score, stored.sentiment_label) == ("fr", -0.5, "negative")


def test_aspects_flags_and_stars_from_the_analysis_are_stored_and_filterable(store):
    review = make_review(
        900, "I received this for free in exchange for my honest review. "
        "We waited forty minutes and nobody apologised.", 2.0).model_dump(mode="json")
    review["flags"] = ["campaign:c1"]  # set earlier by another stage: must survive the analysis
    ingest_batch({"reviews": [review]}, store)
    stored = store.get_review(review["review_id"])
    assert "solicitation:incentive" in stored.flags and "campaign:c1" in stored.flags
    assert stored.flag_evidence["solicitation:incentive"]
    assert stored.aspects and stored.sentiment_stars is not None
    found = store.search(SearchQuery(flags=["solicitation:incentive"]))
    assert [hit.document.review_id for hit in found.hits] == [review["review_id"]]


def test_a_recrawled_review_keeps_its_authenticity_verdict(store):
    review = make_review(901, "Parfait, parfait, parfait. Allez-y les yeux fermés !", 5.0)
    ingest_batch({"reviews": [review.model_dump(mode="json")]}, store)
    assessed = store.get_review(review.review_id).model_copy(update={
        "flags": ["campaign:c7", "authenticity:near_duplicate"], "authenticity_weight": 0.0,
        "authenticity_reasons": {"authenticity:near_duplicate": "same wording as 6 other reviews"}})
    store.upsert_reviews([assessed])  # what the hourly assessment writes
    ingest_batch({"reviews": [review.model_dump(mode="json")]}, store)  # the next crawl
    again = store.get_review(review.review_id)
    assert {"campaign:c7", "authenticity:near_duplicate"} <= set(again.flags)
    assert again.authenticity_weight == 0.0 and again.authenticity_reasons
