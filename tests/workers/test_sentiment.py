"""The default lexicon scorer on invented English and French reviews, and on bad input."""

import pytest

from workers.analysis.sentiment import LexiconSentimentScorer, SentimentResult, SentimentScorer, label_for


@pytest.fixture(scope="module")
def scorer():
    return LexiconSentimentScorer()


@pytest.mark.parametrize(
    ("text", "language", "label"),
    [
        ("Lovely staff and a wonderful breakfast, we will definitely come back.", "en", "positive"),
        ("The room was dirty and the manager was rude. Awful stay.", "en", "negative"),
        ("The shop opens at nine on weekdays.", "en", "neutral"),
        ("Accueil chaleureux et plats délicieux, je recommande vivement !", "fr", "positive"),
        ("Très déçue : le plat était froid et le serveur désagréable.", "fr", "negative"),
        ("Pas terrible, les frites étaient rassises.", "fr", "negative"),
        ("Le magasin ouvre à neuf heures en semaine.", "fr", "neutral"),
        ("Ce n'est pas mauvais du tout, et pas cher.", "fr", "positive"),
        ("À éviter absolument.", "fr", "negative"),
    ],
)
def test_labels_of_clear_reviews(scorer, text, language, label):
    result = scorer.score(text, language)
    assert result is not None
    assert result.label == label
    assert -1 <= result.score <= 1


def test_a_rave_scores_higher_than_a_lukewarm_review(scorer):
    rave = scorer.score("Repas excellent, service impeccable, un vrai coup de coeur !", "fr")
    lukewarm = scorer.score("Repas correct, sans plus.", "fr")
    assert rave.score > lukewarm.score


@pytest.mark.parametrize(
    ("text", "language", "reason_part"),
    [
        ("", "fr", "empty text"),
        ("   \n\t", "en", "empty text"),
        ("<p></p><br/>", "en", "empty text"),
        ("😡😡😡", "fr", "no words"),
        ("★★★★★ 5/5", "en", "no words"),
        ("Sehr gutes Essen und freundliche Bedienung.", "de", "no sentiment scorer for language 'de'"),
        ("Great food.", None, "language unknown"),
    ],
)
def test_unscorable_text_gives_none_and_a_reason(scorer, text, language, reason_part):
    assert scorer.score(text, language) is None
    assert reason_part in scorer.unscorable_reason(text, language)


def test_html_is_stripped_before_scoring(scorer):
    html = "<div><p>Le personnel est <b>adorable</b>&nbsp;!</p><script>var terrible = 1;</script></div>"
    plain = "Le personnel est adorable !"
    assert scorer.score(html, "fr") == scorer.score(plain, "fr")


def test_hundred_thousand_characters_are_scored(scorer):
    text = "The staff were friendly and the coffee was excellent. " * 1900
    assert len(text) > 100_000
    result = scorer.score(text, "en")
    assert result.label == "positive"


def test_the_verdict_at_the_end_of_a_long_review_counts(scorer):
    story = "Nous sommes arrivés vers vingt heures et avons choisi une table près de la fenêtre. " * 200
    result = scorer.score(story + "Bref : plat froid, serveur désagréable, à éviter.", "fr")
    assert result.label == "negative"


def test_mixed_languages_are_scored_with_the_given_language(scorer):
    result = scorer.score("The food was great, mais le service était horrible.", "fr")
    assert result.label == "negative"


def test_default_scorer_satisfies_the_protocol(scorer):
    assert isinstance(scorer, SentimentScorer)


def test_a_language_can_be_added_without_touching_the_scorer():
    class ConstantGermanScorer:
        def polarity(self, text):
            return 0.5

    scorer = LexiconSentimentScorer({"de": ConstantGermanScorer()})
    assert scorer.score("Sehr gutes Essen.", "de") == SentimentResult(0.5, "positive")
    assert "de" in scorer.languages


@pytest.mark.parametrize(("score", "label"), [(0.05, "neutral"), (0.051, "positive"), (-0.05, "neutral"),
                                              (-0.051, "negative"), (0.0, "neutral")])
def test_label_thresholds(score, label):
    assert label_for(score) == label


def test_results_are_clamped_and_rounded():
    assert SentimentResult.from_score(1.7) == SentimentResult(1.0, "positive")
    assert SentimentResult.from_score(-0.123456) == SentimentResult(-0.1235, "negative")
