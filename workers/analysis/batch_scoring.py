"""Score a batch of texts and the sentences that carry their aspects in one scorer call.

An aspect's sentiment is the mean score of its sentences, so besides each text the scorer
must score those sentences (and only those: a sentence with no aspect is never looked at).
Scoring them per text cost as much as tagging the whole batch (one model call per review);
here every text and every needed sentence of a batch go through the scorer together:

- the star model (``StarModelScorer``): a sentence's features are already part of its text's
  features (``featurize`` hashes sentence by sentence), so each needed sentence becomes one
  more row of the same ``score_features`` call, with the row ``score_sentences`` would build;
- any scorer with ``score_batch`` (a Hugging Face model...): one ``score_batch`` call over the
  texts and the sentences;
- any other ``SentimentScorer``: ``score`` text by text, as its protocol offers nothing else.

Reads no settings.
"""

from __future__ import annotations

from typing import Protocol, Sequence

from workers.analysis.sentences import Sentence
from workers.analysis.sentiment import SentimentResult, SentimentScorer


class Scorable(Protocol):
    """One text as the analyzer prepared it (``workers.analysis.analyzer``)."""

    text: str
    language: str | None
    reason: str | None  # why it cannot be scored, else None
    sentences: list[Sentence]

    @property
    def aspect_sentences(self) -> list[int]: ...  # indexes of the sentences whose score is needed


SentenceResults = dict[int, SentimentResult]


def score_prepared(scorer: SentimentScorer, prepared: Sequence[Scorable]
                   ) -> tuple[list[SentimentResult | None], list[SentenceResults]]:
    """Each text's result (``None`` when it has an unscorable ``reason``) and, per text, the
    results of its aspect sentences by sentence index."""
    from workers.analysis.star_scorer import StarModelScorer

    if isinstance(scorer, StarModelScorer):
        return _with_star_model(scorer, prepared)
    if callable(getattr(scorer, "score_batch", None)):
        return _with_score_batch(scorer, prepared)
    results = [None if p.reason else scorer.score(p.text, p.language) for p in prepared]
    sentences = [{} if p.reason else {i: scorer.score(p.sentences[i].text, p.language) for i in p.aspect_sentences}
                 for p in prepared]
    return results, sentences


def _with_star_model(scorer, prepared: Sequence[Scorable]):
    from workers.analysis.star_scorer import TextFeatures, featurize

    features = [None if p.reason else featurize(p.text, p.language, scorer.lexicons, p.sentences) for p in prepared]
    rows, languages, owners = list(features), [p.language for p in prepared], []
    for number, (feature, item) in enumerate(zip(features, prepared)):
        if feature is None:
            continue
        for index in item.aspect_sentences:
            # One sentence scored as a text of one sentence: the row score_sentences builds.
            bucket = feature.sentence_buckets[index]
            rows.append(TextFeatures([feature.sentences[index]], bucket, [bucket], [feature.polarities[index]]))
            languages.append(item.language)
            owners.append((number, index))
    scored = scorer.score_features(rows, languages)
    return list(scored[:len(prepared)]), _by_sentence(scored[len(prepared):], len(prepared), owners)


def _with_score_batch(scorer, prepared: Sequence[Scorable]):
    scorable = [number for number, item in enumerate(prepared) if not item.reason]
    texts = [prepared[number].text for number in scorable]
    languages = [prepared[number].language for number in scorable]
    owners = []
    for number in scorable:
        for index in prepared[number].aspect_sentences:
            texts.append(prepared[number].sentences[index].text)
            languages.append(prepared[number].language)
            owners.append((number, index))
    scored = scorer.score_batch(texts, languages) if texts else []
    results: list[SentimentResult | None] = [None] * len(prepared)
    for number, result in zip(scorable, scored):
        results[number] = result
    return results, _by_sentence(scored[len(scorable):], len(prepared), owners)


def _by_sentence(scored: Sequence[SentimentResult | None], count: int,
                 owners: list[tuple[int, int]]) -> list[SentenceResults]:
    """Per text, ``{sentence index: result}`` from the sentence results in ``owners``' order."""
    sentences: list[SentenceResults] = [{} for _ in range(count)]
    for (number, index), result in zip(owners, scored):
        sentences[number][index] = result
    return sentences

