"""Evaluate sentiment and stars per language, next to a lexicon baseline.

Usage::

    python benchmarks/nlp_evaluate_sentiment.py [--json] [--confusion] [--model PATH] [--encoder]

English: the held-out quarter of the real reviews in the shared datasets (never used for
training; see ``benchmarks/nlp_datasets.py``); skipped with a message when the folder is absent.
French: ``benchmarks/data/french_reviews.jsonl``, reviews the team wrote with their stars
(no French review with stars exists in the shared datasets). The French head of the star model
is fitted on another set the team wrote (``french_calibration.jsonl``), never on this one.
Sentences: ``benchmarks/data/english_sentences.jsonl``, 40 short positive or negative sentences
the team wrote, as the model meets them when it scores an aspect's sentences (polarity only:
they have no stars).

Figures, per language and system:
- polarity accuracy on reviews rated 1-2 (negative) or 4-5 (positive); a prediction is
  positive when its score is >= 0 (the same rule for every system) — the issue's metric;
- balanced polarity accuracy: the mean of the recall of negative and of positive reviews. Only
  66 of the 720 polar English held-out reviews are negative, so answering "positive" to all
  scores 90.8 % plain accuracy and 50 % balanced; the balanced figure shows whether the
  negative reviews, the ones a customer-experience team must see, are caught;
- star MAE (predicted stars against the given stars, all reviews);
- exact star accuracy (predicted stars rounded) and off-by-one accuracy;
- reviews/s: the system alone (``score_batch`` in batches of 64, one process), on this set.
``--confusion`` also prints, per given star, how many reviews got each rounded predicted star.
``--encoder`` adds the optional encoder scorer (``analysis.sentiment_model: encoder``, needs
``pip install '.[encoder]'``; it embeds a few reviews per second, so this takes minutes).
The lexicon baseline is VADER for English and starwatch's French lexicon for French, with stars
``3 + 2 × score`` (a straight line from the [-1, 1] score onto 1-5).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from nlp_datasets import DatasetsMissing, load_english_sentences, load_french_evaluation, load_reviews, split  # noqa: E402

from workers.analysis.sentiment import LexiconSentimentScorer  # noqa: E402
from workers.analysis.star_model import StarModel, default_star_model  # noqa: E402
from workers.analysis.star_scorer import StarModelScorer  # noqa: E402

BATCH = 64


def lexicon_predictions(reviews, scorer: LexiconSentimentScorer):
    predictions = []
    for review in reviews:
        result = scorer.score(review.text, review.language)
        score = 0.0 if result is None else result.score
        predictions.append((score, 3 + 2 * score))
    return predictions


def model_predictions(reviews, scorer):
    results = []
    for start in range(0, len(reviews), BATCH):
        chunk = reviews[start:start + BATCH]
        results += scorer.score_batch([r.text for r in chunk], [r.language for r in chunk])
    return [(0.0, 3.0) if result is None else (result.score, result.stars) for result in results]


def figures(reviews, predictions) -> dict:
    polar = [(r.stars > 3, score >= 0) for r, (score, _stars) in zip(reviews, predictions) if r.stars != 3]
    recalls = [sum(guess == side for truth, guess in polar if truth == side) / max(1, sum(truth == side for truth, _ in polar))
               for side in (False, True)]
    errors = [abs(r.stars - stars) for r, (_score, stars) in zip(reviews, predictions)]
    rounded = [min(5, max(1, round(stars))) for _score, stars in predictions]
    return {
        "reviews": len(reviews),
        "polarity_accuracy": sum(truth == guess for truth, guess in polar) / len(polar),
        "balanced_polarity_accuracy": sum(recalls) / 2,
        "negative_recall": recalls[0],
        "star_mae": sum(errors) / len(errors),
        "exact_star_accuracy": sum(r.stars == guess for r, guess in zip(reviews, rounded)) / len(reviews),
        "off_by_one_accuracy": sum(abs(r.stars - guess) <= 1 for r, guess in zip(reviews, rounded)) / len(reviews),
        "confusion": {str(star): [sum(1 for r, guess in zip(reviews, rounded) if r.stars == star and guess == predicted)
                                  for predicted in range(1, 6)] for star in range(1, 6)},
    }


def timed(name: str, set_name: str, reviews, predict) -> dict:
    started = time.perf_counter()
    predictions = predict(reviews)
    seconds = time.perf_counter() - started
    return {"set": set_name, "system": name, **figures(reviews, predictions),
            "reviews_per_second": round(len(reviews) / seconds)}


def evaluate(set_name: str, reviews, baseline_name: str, model: StarModel, encoder=None) -> list[dict]:
    scorer = StarModelScorer(model)
    scorer.score_batch([r.text for r in reviews[:BATCH]], [r.language for r in reviews[:BATCH]])  # warm caches
    rows = [timed("starwatch star model (default)", set_name, reviews, lambda rs: model_predictions(rs, scorer))]
    if encoder is not None:
        rows.append(timed("encoder: e5 + head (optional)", set_name, reviews, lambda rs: model_predictions(rs, encoder)))
    rows.append(timed(baseline_name, set_name, reviews, lambda rs: lexicon_predictions(rs, LexiconSentimentScorer())))
    return rows


def encoder_scorer(model: StarModel):
    """The optional encoder scorer, or None with a message when its package is missing."""
    from workers.analysis.encoder_scorer import EncoderScorer, EncoderUnavailable, e5_embedder

    try:
        return EncoderScorer(fallback=StarModelScorer(model), embedder=e5_embedder())
    except EncoderUnavailable as exc:
        print(f"encoder skipped: {exc}")
        return None


def print_table(rows: list[dict], confusion: bool) -> None:
    header = (f"{'set':<40} {'system':<32} {'n':>4} {'polarity':>8} {'balanced':>8} {'neg rec':>7} "
              f"{'MAE':>6} {'exact':>6} {'±1':>6} {'rev/s':>6}")
    print(header)
    print("-" * len(header))
    for row in rows:
        stars = (f"{row['star_mae']:>6.3f} {row['exact_star_accuracy']:>6.1%} {row['off_by_one_accuracy']:>6.1%}"
                 if row["star_mae"] is not None else f"{'—':>6} {'—':>6} {'—':>6}")
        print(f"{row['set']:<40} {row['system']:<32} {row['reviews']:>4} {row['polarity_accuracy']:>8.1%} "
              f"{row['balanced_polarity_accuracy']:>8.1%} {row['negative_recall']:>7.1%} {stars} {row['reviews_per_second']:>6}")
        if confusion:
            for star, counts in row["confusion"].items():
                print(f"{'':>10} given {star}★ → predicted 1..5★: {counts}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON lines")
    parser.add_argument("--confusion", action="store_true", help="print predicted stars per given star")
    parser.add_argument("--model", type=Path, default=None, help="a star model file (default: the shipped one)")
    parser.add_argument("--encoder", action="store_true", help="also the optional encoder scorer (slow)")
    args = parser.parse_args(argv)
    model = StarModel.load(args.model) if args.model else default_star_model()
    encoder = encoder_scorer(model) if args.encoder else None
    rows: list[dict] = []
    try:
        _training, held_out = split(load_reviews())
        rows += evaluate("en: real reviews, held-out split", held_out, "VADER (lexicon baseline)", model, encoder)
        for corpus in ("yelp", "amazon"):
            subset = [r for r in held_out if r.corpus == corpus]
            rows += evaluate(f"en: held-out {corpus} only", subset, "VADER (lexicon baseline)", model)
    except DatasetsMissing as exc:
        print(exc)
    rows += evaluate("fr: written reviews (benchmarks/data)", load_french_evaluation(), "French lexicon (baseline)", model)
    sentences = load_english_sentences()
    for row in evaluate("en: written sentences (benchmarks/data)", sentences, "VADER (lexicon baseline)", model, encoder):
        rows.append({**row, "star_mae": None, "exact_star_accuracy": None, "off_by_one_accuracy": None, "confusion": {}})
    if args.json:
        for row in rows:
            print(json.dumps(row))
    else:
        print_table(rows, args.confusion)
    return 0


if __name__ == "__main__":
    sys.exit(main())
