"""analyze(): language choice (guess, then hint) and the sentiment or the reason there is none."""

import pytest

from workers.analysis.analyzer import Analyzer, analyze, normalize_language_hint
from workers.analysis.sentiment import SentimentResult
from workers.analysis.text import shorten_for_analysis, to_plain_text


def test_french_review_is_detected_and_scored():
    analysis = analyze("Très déçue : le plat était froid et le serveur désagréable.")
    assert analysis.language == "fr"
    assert analysis.sentiment_label == "negative"
    assert analysis.sentiment_score < 0
    assert analysis.unscorable_reason is None


def test_english_review_is_detected_and_scored():
    analysis = analyze("Lovely staff and a wonderful breakfast, we will definitely come back.")
    assert (analysis.language, analysis.sentiment_label) == ("en", "positive")


def test_the_hint_decides_when_detection_is_unsure():
    hinted = analyze("Très bon", language_hint="fr-FR")
    assert (hinted.language, hinted.sentiment_label, hinted.unscorable_reason) == ("fr", "positive", None)
    assert analyze("Très bon", language_hint="en").language == "en"


def test_without_a_hint_a_clear_winner_between_english_and_french_is_taken():
    assert analyze("Très bon").language == "fr"
    assert analyze("Great coffee & rude staff").language == "en"
    assert analyze("Nul").language is None  # too few letters to tell


def test_a_confident_guess_beats_the_hint():
    analysis = analyze("The breakfast was cold and nobody answered the phone.", language_hint="fr")
    assert analysis.language == "en"


@pytest.mark.parametrize(
    ("text", "reason_part"),
    [("", "empty text"), (None, "empty text"), ("🙂🙂🙂", "no words"), ("Gut", "language unknown"),
     ("Das Essen war ausgezeichnet und die Bedienung sehr freundlich.", "no sentiment scorer for language 'de'")],
)
def test_unscorable_texts_are_explained_not_raised(text, reason_part):
    analysis = analyze(text)
    assert analysis.sentiment_score is None and analysis.sentiment_label is None
    assert reason_part in analysis.unscorable_reason


def test_the_scorer_is_swappable():
    class AlwaysPositiveScorer:
        def score(self, text, language):
            return SentimentResult(0.9, "positive")

        def unscorable_reason(self, text, language):
            return None

    analysis = Analyzer(AlwaysPositiveScorer())("Le plat était froid et le serveur désagréable.")
    assert (analysis.language, analysis.sentiment_score) == ("fr", 0.9)


def test_a_scorer_returning_none_without_reason_is_still_explained():
    class SilentScorer:
        def score(self, text, language):
            return None

        def unscorable_reason(self, text, language):
            return None

    assert Analyzer(SilentScorer())("Great food and friendly staff.").unscorable_reason


@pytest.mark.parametrize(("hint", "expected"), [("fr-FR", "fr"), ("EN", "en"), ("fr_CA", "fr"), ("", None),
                                                (None, None), ("français", None), ("en-", None)])
def test_language_hints_are_normalized(hint, expected):
    assert normalize_language_hint(hint) == expected


def test_plain_text_keeps_words_apart_and_drops_scripts():
    assert to_plain_text("<p>Très&nbsp;bon<br>repas</p><style>p{}</style>") == "Très bon repas"
    assert to_plain_text("3 < 5 and 7 > 2") == "3 < 5 and 7 > 2"


@pytest.mark.parametrize(("text", "plain"), [
    ("  a \t b\n\nc\u00a0 d  ", "a b c d"), ("un\tdeux", "un deux"), ("one two", "one two"), (" \n ", ""),
])
def test_plain_text_collapses_every_kind_of_whitespace(text, plain):
    assert to_plain_text(text) == plain


def test_shortening_keeps_head_and_tail_on_word_boundaries():
    text = " ".join(f"mot{i}" for i in range(3000))
    short = shorten_for_analysis(text, head_chars=100, tail_chars=50)
    assert short.startswith("mot0 mot1") and short.endswith("mot2999")
    assert " … " in short and len(short) < 160
    assert shorten_for_analysis("court", 100, 50) == "court"
