"""Store contract for what the workers' analysis adds to a record (issue 4).

Both backends must keep ``sentiment_stars``, ``aspect_sentiments`` and ``flag_evidence`` exactly
as written, and let searches filter on the aspects and flags the analysis found. The records
are analysed for real by ``workers.analysis`` (invented French and English texts), so the
contract also checks that an analysis fits the record fields it fills. Reads no settings.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from search.backends.base import SearchQuery
from search.documents import Mention, Review, make_mention_id, make_review_id

ENTITY = "analysis-cafe"
_TEXTS = {
    "fees": ("fr", "Des frais cachés sur l'addition et quarante minutes d'attente. Le serveur était adorable."),
    "free": ("en", "I received this mug for free in exchange for my honest review. The quality is great."),
    "plain": ("en", "Lovely coffee and friendly staff."),
}


def analysed_review(name: str) -> Review:
    from workers.analysis.analyzer import Analyzer

    language, text = _TEXTS[name]
    review = Review(review_id=make_review_id("analysis-site", name), source="analysis-site", platform="schema_org",
                    external_id=name, entity_id=ENTITY, rating=3, text=text, language=language,
                    published_at=datetime(2024, 5, 1, tzinfo=timezone.utc))
    return review.model_copy(update=Analyzer()(text, language_hint=language).record_update())


class AnalysisFieldsContract:
    @pytest.fixture
    def analysed(self, store):
        reviews = {name: analysed_review(name) for name in _TEXTS}
        store.upsert_reviews(list(reviews.values()))
        store.refresh()
        return store, reviews

    def test_analysis_fields_round_trip(self, analysed):
        store, reviews = analysed
        fees = reviews["fees"]
        assert fees.sentiment_stars is not None and "integrity:hidden_fees" in fees.flags
        assert "frais cachés" in fees.flag_evidence["integrity:hidden_fees"]
        assert fees.aspect_sentiments["staff"] > 0 > fees.aspect_sentiments["time_effort"]
        assert store.get_review(fees.review_id) == fees

    def test_mentions_keep_analysis_fields(self, store):
        mention = Mention(mention_id=make_mention_id("forum", None, "x"), source="forum", platform="feed",
                          entity_id=ENTITY, text="Arnaque.", sentiment_stars=1.2, aspect_sentiments={"price": -0.8},
                          flags=["integrity:scam_fraud"], flag_evidence={"integrity:scam_fraud": "Arnaque."})
        store.upsert_mentions([mention])
        store.refresh()
        (hit,) = store.search(SearchQuery(text="", entity_ids=[ENTITY])).hits
        assert hit.document == mention

    @pytest.mark.parametrize(("filters", "expected"), [
        ({"flags": ["integrity:hidden_fees"]}, {"fees"}),
        ({"flags": ["solicitation:incentive"]}, {"free"}),
        ({"exclude_flags": ["solicitation:incentive"]}, {"fees", "plain"}),
        ({"aspects": ["time_effort"]}, {"fees"}),
    ])
    def test_filter_on_what_the_analysis_found(self, analysed, filters, expected):
        store, reviews = analysed
        page = store.search(SearchQuery(text="", entity_ids=[ENTITY], **filters))
        names = {name for name, review in reviews.items() if review.review_id in {h.document.doc_id for h in page.hits}}
        assert names == expected
