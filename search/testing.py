"""The store contract: pytest mixins every ``ReviewStore`` backend must pass.

A backend's test module only subclasses the mixins and provides one fixture, ``store``: a fresh,
empty, ready store (Haystack's ``haystack.testing.document_store`` pattern)::

    class TestSQLiteStore(StoreContract):
        @pytest.fixture
        def store(self, tmp_path):
            store = SQLiteReviewStore(tmp_path / "store.sqlite")
            store.ensure_ready()
            yield store
            store.close()

Read-only contracts on a larger corpus (``search.testing_depth``, ``search.testing_compare``)
also need ``class_store``: the same kind of fresh store, with class scope, written once per
test class because creating an Elasticsearch index per test would cost more than the tests.

Tests call ``store.refresh()`` after writes, as production code must before searching; only
incidents and ``get_review`` are promised to be visible at once. The sample records are invented
(French and English) in ``search.testing_corpus``. Reads no settings.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta, timezone

import pytest

from search.backends.base import QueryError, SearchPage, SearchQuery, WriteSummary
from search.documents import Incident, Review, make_review_id
from search.testing_alerts import AlertStoreContract
from search.testing_analysis import AnalysisFieldsContract
from search.testing_compare import EntityFiguresContract, SavedSearchContract
from search.testing_depth import CursorContract, FacetsContract, ListFiltersContract
from search.testing_authenticity import AuthenticityStoreContract
from search.testing_crawl import CrawlRecordsContract
from search.testing_rewrites import RewriteContract
from search.testing_corpus import (
    CAFE,
    PARIS_WINTER,
    PIZZERIA,
    UTC,
    make_sample_review,
    make_sample_snapshot,
    sample_mentions,
    sample_reviews,
)


def _names(page: SearchPage) -> set[str]:
    by_id = {r.doc_id: name for name, r in {**sample_reviews(), **sample_mentions()}.items()}
    return {by_id.get(hit.document.doc_id, hit.document.doc_id) for hit in page.hits}


class _StoreFixture:
    @pytest.fixture
    def store(self):
        raise NotImplementedError("a backend test class must provide a fresh, ready `store` fixture")

    @pytest.fixture
    def corpus(self, store):
        """The store holding the sample reviews and mentions, refreshed."""
        store.upsert_reviews(list(sample_reviews().values()))
        store.upsert_mentions(list(sample_mentions().values()))
        store.refresh()
        return store


class WriteReviewsContract(_StoreFixture):
    def test_ensure_ready_is_idempotent(self, store):
        store.ensure_ready()
        store.ensure_ready()
        assert store.count() == 0

    def test_same_review_twice_is_one_document_counted_as_updated(self, store):
        review = sample_reviews()["parfait"]
        assert store.upsert_reviews([review]) == WriteSummary(created=1, updated=0)
        assert store.upsert_reviews([review]) == WriteSummary(created=0, updated=1)
        store.refresh()
        assert store.count() == 1

    def test_duplicates_inside_one_batch_are_one_document(self, store):
        review = sample_reviews()["decu"]
        summary = store.upsert_reviews([review, review])
        store.refresh()
        assert (summary.written, store.count()) == (2, 1)

    def test_empty_batch_writes_nothing(self, store):
        assert store.upsert_reviews([]) == WriteSummary()
        assert store.upsert_mentions([]) == WriteSummary()

    def test_upsert_replaces_searchable_text(self, store):
        review = sample_reviews()["decu"]
        store.upsert_reviews([review])
        store.upsert_reviews([review.model_copy(update={"text": "Finalement tout était excellent."})])
        store.refresh()
        assert store.search(SearchQuery(text="croissant")).total == 0
        assert store.search(SearchQuery(text="excellent")).total == 1

    def test_get_review_round_trips_every_field(self, store):
        review = Review(
            review_id=make_review_id("port-site", text="Très bon", author_hash="a_1"), source="port-site",
            platform="schema_org", external_id=None, entity_id=CAFE, author_hash="a_1", rating=4.5,
            rating_original=9, rating_best=10, rating_worst=1, title="Très bon 👍", text="Très bon, « merci » !",
            language="fr", published_at=datetime(2024, 2, 29, 23, 59, 59, 123456, tzinfo=timezone(timedelta(hours=-5))),
            collected_at=datetime(2024, 3, 1, 6, 0, 0, 654321, tzinfo=UTC), url="https://port.invalid/r?id=1&x=2",
            sentiment_score=0.75, sentiment_label="positive", aspects=["service", "prix"], flags=["burst"],
        )
        store.upsert_reviews([review])
        loaded = store.get_review(review.review_id)
        assert loaded == review
        assert loaded.published_at.utcoffset() is not None
        assert store.get_review("r_does_not_exist") is None

    def test_count_by_kind_and_entity(self, corpus):
        assert corpus.count() == 7
        assert corpus.count("review", CAFE) == 5
        assert corpus.count("mention") == 2
        assert corpus.count("mention", PIZZERIA) == 1
        assert corpus.count("review", "nobody") == 0

    def test_get_review_does_not_return_mentions(self, corpus):
        mention = sample_mentions()["terrasse"]
        assert corpus.get_review(mention.mention_id) is None


class SearchContract(_StoreFixture):
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("coffee", {"harbour", "never"}),
            ("coffee cold", {"never"}),
            ('"service rapide"', {"parfait", "correcte"}),
            ('"rapide service"', set()),
            ("tiramisu OR croissant", {"best", "decu"}),
            ("service -rapide", {"decu", "never"}),
            ("croiss*", {"decu"}),
            ("recomm*", {"parfait"}),
            ("creme brulee", {"decu"}),
            ("CAFÉ", {"parfait", "terrasse"}),
            ("cafe", {"parfait", "terrasse"}),
            ("accueil", {"parfait"}),
            ('"l\'accueil chaleureux"', {"parfait"}),
            ("pizza 🍕", {"correcte", "best"}),
        ],
    )
    def test_text(self, corpus, text, expected):
        assert _names(corpus.search(SearchQuery(text=text, limit=50))) == expected

    def test_empty_text_matches_everything(self, corpus):
        assert corpus.search(SearchQuery()).total == 9

    def test_only_exclusions(self, corpus):
        page = corpus.search(SearchQuery(text="-coffee", entity_ids=[CAFE], kinds=["review"]))
        assert _names(page) == {"parfait", "decu", "unrated"}

    @pytest.mark.parametrize(
        ("filters", "expected"),
        [
            ({"entity_ids": [PIZZERIA]}, {"correcte", "best", "kitchen"}),
            ({"entity_ids": []}, set()),
            ({"kinds": ["mention"]}, {"terrasse", "kitchen"}),
            ({"sources": ["port-maps", "luna-site"]}, {"harbour", "never", "correcte", "best"}),
            ({"languages": ["en"], "entity_ids": [CAFE]}, {"harbour", "never"}),
            ({"sentiment_labels": ["negative", "neutral"]}, {"decu", "never", "correcte"}),
            ({"min_rating": 2, "max_rating": 4}, {"decu", "harbour", "correcte"}),
            ({"min_rating": 4.5}, {"parfait", "best"}),
            ({"since": datetime(2024, 3, 5, 11, 30, tzinfo=UTC), "until": datetime(2024, 3, 10, 18, tzinfo=UTC)},
             {"decu", "terrasse", "best", "kitchen"}),
            ({"entity_ids": ["x' OR '1'='1"]}, set()),
        ],
    )
    def test_filters(self, corpus, filters, expected):
        assert _names(corpus.search(SearchQuery(limit=50, **filters))) == expected

    def test_text_and_filters_combine(self, corpus):
        page = corpus.search(SearchQuery(text="service", entity_ids=[CAFE], languages=["fr"]))
        assert _names(page) == {"parfait", "decu"}

    def test_sort_by_date_newest_first_undated_last(self, corpus):
        page = corpus.search(SearchQuery(entity_ids=[CAFE], kinds=["review"], sort="date"))
        assert [hit.document.external_id for hit in page.hits] == ["never", "harbour", "decu", "parfait", "unrated"]

    def test_limit_and_offset(self, corpus):
        page = corpus.search(SearchQuery(entity_ids=[CAFE], kinds=["review"], sort="date", limit=2, offset=1))
        assert page.total == 5
        assert [hit.document.external_id for hit in page.hits] == ["harbour", "decu"]

    def test_relevance_hits_have_scores(self, corpus):
        page = corpus.search(SearchQuery(text="coffee"))
        assert all(hit.score is not None for hit in page.hits)

    def test_a_prefix_alone_scores_by_the_fields_that_hold_it(self, store):
        """Like a Lucene prefix query: a constant per field (title 2, text 1, summed), no term
        statistics; pages walked by cursor keep that order and show each hit once."""
        reviews = [("text-a", None, "Je recommande"), ("both", "Recommandé", "Je recommande vivement"),
                   ("none", "Bof", "Rien à dire"), ("title", "Recommandation", "Bof"),
                   ("text-b", "Moyen", "Une recommandation tiède")]
        store.upsert_reviews([make_sample_review(name, CAFE, "port-site", "fr", 4, None, None, title, text)
                              for name, title, text in reviews])
        store.refresh()
        page = store.search(SearchQuery(text="recomm*", limit=10))
        names = [hit.document.external_id for hit in page.hits]
        assert names[:2] == ["both", "title"] and set(names[2:]) == {"text-a", "text-b"}
        scores = [hit.score for hit in page.hits]
        assert scores[0] > scores[1] > scores[2] == scores[3]
        walked, query = [], SearchQuery(text="recomm*", limit=1)
        while True:
            step = store.search(query)
            walked += [hit.document.external_id for hit in step.hits]
            if step.next_cursor is None:
                break
            query = SearchQuery(text="recomm*", limit=1, cursor=step.next_cursor)
        assert walked == names and page.total == 4
        filtered = store.search(SearchQuery(text="recomm* -vivement", min_rating=4, limit=10))
        assert [hit.document.external_id for hit in filtered.hits] == names[1:] and filtered.total == 3
        one_business = store.search(SearchQuery(text="recomm*", entity_ids=[CAFE], limit=10))
        assert [hit.document.external_id for hit in one_business.hits] == names

    def test_snippet_marks_the_match_in_original_accented_text(self, corpus):
        (hit,) = corpus.search(SearchQuery(text="creme")).hits
        assert "<mark>crème</mark>" in hit.snippet

    def test_snippet_is_html_escaped(self, corpus):
        (hit,) = corpus.search(SearchQuery(text="tiramisu")).hits
        assert "<mark>tiramisu</mark>" in hit.snippet
        assert "&amp;" in hit.snippet and "&lt;8" in hit.snippet and "<8" not in hit.snippet

    def test_snippet_from_title_when_only_the_title_matches(self, corpus):
        (hit,) = corpus.search(SearchQuery(text="luna")).hits
        assert hit.snippet == "<mark>Luna</mark> opens a second kitchen"

    def test_long_text_snippet_is_cut_with_ellipsis(self, store):
        text = "Début. " + "Rien à signaler ce jour-là. " * 30 + "Puis le serveur a renversé le café. " + "Fin. " * 30
        store.upsert_reviews([make_sample_review("long", CAFE, "port-site", "fr", 3, None, None, None, text)])
        store.refresh()
        (hit,) = store.search(SearchQuery(text="renverse")).hits
        assert "<mark>renversé</mark>" in hit.snippet
        assert hit.snippet.startswith("…") and hit.snippet.endswith("…") and len(hit.snippet) < 300

    def test_accents_apostrophes_and_decomposed_unicode(self, store):
        decomposed = unicodedata.normalize("NFD", "Crème brûlée d’été, l'addition était salée.")
        store.upsert_reviews([make_sample_review("nfd", CAFE, "port-site", "fr", 3, None, None, None, decomposed)])
        store.refresh()
        for text in ("creme brulee", "ete", "addition", "SALÉE", '"l addition"', "brûl*"):
            assert store.search(SearchQuery(text=text)).total == 1, text

    def test_naive_datetimes_are_utc(self, corpus):
        page = corpus.search(SearchQuery(kinds=["review"], since=datetime(2024, 3, 10, 18), until=datetime(2024, 3, 10, 18, 1)))
        assert _names(page) == {"harbour"}

    @pytest.mark.parametrize("bad", [{"limit": -1}, {"offset": -5}, {"limit": 50, "offset": 9990},
                                     {"entity_ids": CAFE}, {"kinds": ["reviews"]}])
    def test_invalid_query_fields_raise_query_error(self, corpus, bad):
        with pytest.raises(QueryError):
            corpus.search(SearchQuery(**bad))


HOSTILE_QUERIES = [
    '"unbalanced', 'pizza "', '"', "*:*", "_index:x", '") OR 1=1 --', "NEAR(a b)", "col:foo", "title:pizza",
    "'; DROP TABLE documents; --", "a AND OR NOT b", "pizza^10", "(((", "OR", "- -", "*", "🍕🍕", "{\"query\": 1}",
    "pizza~2", "x" * 10_240, " ".join(["pizza"] * 2000), "\\", "\x00pizza",
]


class HostileQueryContract(_StoreFixture):
    @pytest.mark.parametrize("text", HOSTILE_QUERIES, ids=lambda t: repr(t[:20]))
    def test_hostile_text_never_leaks_or_crashes(self, corpus, text):
        try:
            page = corpus.search(SearchQuery(text=text, entity_ids=[PIZZERIA]))
        except QueryError as exc:
            assert str(exc)
        else:
            assert all(hit.document.entity_id == PIZZERIA for hit in page.hits)
            assert page.total == len(page.hits)
        assert corpus.count() == 7

    def test_sql_and_fts_syntax_are_plain_words(self, corpus):
        assert corpus.search(SearchQuery(text='") OR 1=1 --')).total == 0
        assert corpus.search(SearchQuery(text="title:pizza")).total == 0  # the phrase "title pizza"


class RatingStatsContract(_StoreFixture):
    def test_all_time_per_entity_in_one_call(self, corpus):
        stats = corpus.rating_stats([CAFE, PIZZERIA, "nobody"], None, None)
        assert (stats[CAFE].count, stats[CAFE].average) == (4, pytest.approx(3.0))
        assert stats[CAFE].distribution == {1: 1, 2: 1, 3: 0, 4: 1, 5: 1}
        assert (stats[PIZZERIA].count, stats[PIZZERIA].average) == (2, pytest.approx(3.75))
        assert stats[PIZZERIA].distribution == {1: 0, 2: 0, 3: 1, 4: 0, 5: 1}
        assert (stats["nobody"].count, stats["nobody"].average) == (0, None)

    def test_window_since_inclusive_until_exclusive(self, corpus):
        since = datetime(2024, 3, 5, 12, 30, tzinfo=PARIS_WINTER)  # exactly when "decu" was published
        until = datetime(2024, 3, 10, 18, tzinfo=UTC)  # exactly when "harbour" was published
        stats = corpus.rating_stats([CAFE], since, until)[CAFE]
        assert (stats.count, stats.average) == (1, pytest.approx(2.0))

    def test_open_ended_windows(self, corpus):
        assert corpus.rating_stats([CAFE], datetime(2024, 3, 10, 18, tzinfo=UTC), None)[CAFE].count == 2
        assert corpus.rating_stats([CAFE], None, datetime(2024, 3, 1, 9, tzinfo=UTC))[CAFE].count == 0

    def test_empty_entity_list(self, corpus):
        assert corpus.rating_stats([], None, None) == {}

    def test_lowest_rated_worst_first(self, corpus):
        worst = corpus.lowest_rated(CAFE, None, None, limit=2)
        assert [review.external_id for review in worst] == ["never", "decu"]

    def test_lowest_rated_newest_first_among_equals(self, store):
        older = make_sample_review("older", CAFE, "port-site", "fr", 1, None, datetime(2024, 1, 1, tzinfo=UTC), None, "Bof.")
        newer = make_sample_review("newer", CAFE, "port-site", "fr", 1, None, datetime(2024, 1, 2, tzinfo=UTC), None, "Bof bof.")
        store.upsert_reviews([older, newer])
        store.refresh()
        window = store.lowest_rated(CAFE, datetime(2023, 12, 31, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC))
        assert [review.external_id for review in window] == ["newer", "older"]


class SnapshotsContract(_StoreFixture):
    def test_latest_snapshot_per_source(self, store):
        monday, tuesday = datetime(2024, 3, 4, 6, tzinfo=UTC), datetime(2024, 3, 5, 6, tzinfo=UTC)
        snapshots = [
            make_sample_snapshot(CAFE, "port-site", monday, 4.4), make_sample_snapshot(CAFE, "port-site", tuesday, 4.2),
            make_sample_snapshot(CAFE, "port-maps", monday, 4.6), make_sample_snapshot(PIZZERIA, "luna-site", tuesday, 3.9),
        ]
        assert store.add_snapshots(snapshots) == 4
        assert store.add_snapshots(snapshots[:2]) == 0
        store.refresh()
        latest = store.latest_snapshots([CAFE, PIZZERIA, "nobody"])
        assert {(s.source, s.average, s.observed_at) for s in latest[CAFE]} == {
            ("port-site", 4.2, tuesday), ("port-maps", 4.6, monday)}
        assert [s.average for s in latest[PIZZERIA]] == [3.9]
        assert latest["nobody"] == []
        assert next(s for s in latest[CAFE] if s.source == "port-maps") == snapshots[2]


class IncidentsContract(_StoreFixture):
    def _incident(self, incident_id="inc-1", rule_id="rating-drop", entity=CAFE, opened_hour=8) -> Incident:
        return Incident(incident_id=incident_id, rule_id=rule_id, rule_type="rating_drop", entity_id=entity,
                        opened_at=datetime(2024, 3, 12, opened_hour, tzinfo=UTC), summary="La note baisse",
                        details={"recent": {"average": 2.1, "count": 6}, "baseline": [4.4, 31]})

    def test_open_then_resolve(self, store):
        incident = self._incident()
        store.save_incident(incident)
        assert store.get_open_incident("rating-drop", CAFE) == incident
        assert store.get_open_incident("rating-drop", PIZZERIA) is None
        assert store.list_incidents("open") == [incident]
        resolved = incident.model_copy(update={"status": "resolved", "resolved_at": datetime(2024, 3, 14, tzinfo=UTC)})
        store.save_incident(resolved)
        assert store.get_open_incident("rating-drop", CAFE) is None
        assert store.list_incidents("open") == []
        assert store.list_incidents("resolved") == [resolved]

    def test_list_newest_first(self, store):
        first, second = self._incident("inc-1", opened_hour=8), self._incident("inc-2", entity=PIZZERIA, opened_hour=9)
        store.save_incident(first)
        store.save_incident(second)
        assert [i.incident_id for i in store.list_incidents()] == ["inc-2", "inc-1"]


class StoreContract(
    WriteReviewsContract, SearchContract, HostileQueryContract, RatingStatsContract, SnapshotsContract, IncidentsContract,
    AlertStoreContract, CrawlRecordsContract,
    ListFiltersContract, FacetsContract, CursorContract, EntityFiguresContract, SavedSearchContract,
    AnalysisFieldsContract, AuthenticityStoreContract, RewriteContract,
):
    """Every contract at once: what a complete backend subclasses."""
