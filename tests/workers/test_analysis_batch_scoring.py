"""One scorer call per batch for texts and their aspect sentences: the same results as scoring each."""

from dataclasses import dataclass

import pytest

from workers.analysis.analyzer import Analyzer
from workers.analysis.batch_scoring import score_prepared
from workers.analysis.sentences import Sentence, split_sentences
from workers.analysis.sentiment import LexiconSentimentScorer, SentimentResult
from workers.analysis.star_scorer import StarModelScorer, featurize

TEXTS = [
    ("The staff were lovely and so kind. But we waited forty minutes for a cold coffee. Pricey too.", "en"),
    ("Le serveur était adorable. Par contre, quarante minutes d'attente pour un café froid.", "fr"),
    ("Great coffee.", "en"),
    ("", None),
]


@dataclass
class Item:
    text: str
    language: str | None
    reason: str | None
    sentences: list[Sentence]
    aspect_sentences: list[int]


def items(scorer):
    prepared = []
    for text, language in TEXTS:
        sentences = split_sentences(text)
        prepared.append(Item(text, language, scorer.unscorable_reason(text, language), sentences,
                             list(range(len(sentences)))))
    return prepared


def test_the_star_model_scores_sentences_with_the_texts_as_it_would_one_by_one():
    scorer = StarModelScorer()
    prepared = items(scorer)
    results, sentences = score_prepared(scorer, prepared)
    for item, result, by_sentence in zip(prepared, results, sentences):
        if item.reason:
            assert result is None and by_sentence == {}
            continue
        assert result == scorer.score(item.text, item.language)
        features = featurize(item.text, item.language, scorer.lexicons, item.sentences)
        assert by_sentence == scorer.score_sentences(features, item.language, item.aspect_sentences)


class RecordingBatchScorer:
    """Scores by text length; records each ``score_batch`` call (pure logic, no model)."""

    def __init__(self):
        self.calls = []

    def unscorable_reason(self, text, language):
        return None if text else "empty text"

    def score(self, text, language):
        raise AssertionError("a scorer with score_batch is called once per batch")

    def score_batch(self, texts, languages):
        self.calls.append(list(texts))
        return [SentimentResult.from_score(len(text) / 100) for text in texts]


def test_a_batch_scorer_is_called_once_for_texts_and_sentences():
    scorer = RecordingBatchScorer()
    prepared = items(scorer)
    results, sentences = score_prepared(scorer, prepared)
    assert len(scorer.calls) == 1
    assert scorer.calls[0][:3] == [text for text, _ in TEXTS[:3]]
    assert results[3] is None and sentences[3] == {}
    for item, result, by_sentence in zip(prepared[:3], results, sentences):
        assert result == SentimentResult.from_score(len(item.text) / 100)
        assert by_sentence == {i: SentimentResult.from_score(len(item.sentences[i].text) / 100)
                               for i in item.aspect_sentences}


def test_a_scorer_without_batches_scores_each_text_and_sentence():
    scorer = LexiconSentimentScorer()
    prepared = items(scorer)
    results, sentences = score_prepared(scorer, prepared)
    for item, result, by_sentence in zip(prepared, results, sentences):
        assert result == (None if item.reason else scorer.score(item.text, item.language))
        assert by_sentence == ({} if item.reason else
                               {i: scorer.score(item.sentences[i].text, item.language) for i in item.aspect_sentences})


@pytest.mark.parametrize("scorer", [StarModelScorer(), LexiconSentimentScorer(), RecordingBatchScorer()],
                         ids=["star", "lexicon", "batch"])
def test_aspect_sentiment_is_the_mean_of_its_sentences(scorer):
    analysis = Analyzer(scorer).analyze_batch([TEXTS[0][0]], ["en"])[0]
    aspects = {a.name: a for a in analysis.aspects}
    assert {"staff", "time_effort"} <= set(aspects)
    waiting = split_sentences(TEXTS[0][0])[1].text
    assert aspects["time_effort"].sentences == (waiting,)
    own = scorer.score_batch([waiting], ["en"])[0] if hasattr(scorer, "score_batch") else scorer.score(waiting, "en")
    assert aspects["time_effort"].score == own.score
