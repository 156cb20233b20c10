"""Evaluate sentiment and stars per language, next to a lexicon baseline.

Usage::

    python benchmarks/nlp_evaluate_sentiment.py [--json]

English: the held-out quarter of the real reviews in the shared datasets (never used for
training; see ``benchmarks/nlp_datasets.py``); skipped with a message when the folder is absent.
French: ``benchmarks/data/french_reviews.jsonl``, reviews the team wrote with their stars
(no French review with stars exists in the shared datasets).

Figures, per language and system:
- polarity accuracy on reviews rated 1-2 (negative) or 4-5 (positive); a prediction is
  positive when its score is >= 0 (the same rule for every system);
- star MAE (predicted stars against the given stars, all reviews);
- exact star accuracy (predicted stars rounded) and off-by-one accuracy.
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

from nlp_datasets import DatasetsMissing, load_french_evaluation, load_reviews, split  # noqa: E402

from workers.analysis.sentiment import LexiconSentimentScorer  # noqa: E402
from workers.analysis.star_scorer import StarModelScorer  # noqa: E402


def lexicon_predictions(reviews, scorer: LexiconSentimentScorer):
    predictions = []
    for review in reviews:
        result = scorer.score(review.text, review.language)
        score = 0.0 if result is None else result.score
        predictions.append((score, 3 + 2 * score))
    return predictions


def model_predictions(reviews, scorer: StarModelScorer):
    results = scorer.score_batch([r.text for r in reviews], [r.language for r in reviews])
    return [(0.0, 3.0) if result is None else (result.score, result.stars) for result in results]


def figures(reviews, predictions) -> dict:
    polar = [(r.stars > 3, score >= 0) for r, (score, _stars) in zip(reviews, predictions) if r.stars != 3]
    errors = [abs(r.stars - stars) for r, (_score, stars) in zip(reviews, predictions)]
    rounded = [abs(r.stars - min(5, max(1, round(stars)))) for r, (_score, stars) in zip(reviews, predictions)]
    return {
        "reviews": len(reviews),
        "polarity_accuracy": sum(truth == guess for truth, guess in polar) / len(polar),
        "star_mae": sum(errors) / len(errors),
        "exact_star_accuracy": sum(error == 0 for error in rounded) / len(rounded),
        "off_by_one_accuracy": sum(error <= 1 for error in rounded) / len(rounded),
    }


def evaluate(name: str, reviews, baseline_name: str) -> list[dict]:
    rows = []
    started = time.perf_counter()
    model = figures(reviews, model_predictions(reviews, StarModelScorer()))
    rows.append({"set": name, "system": "starwatch star model (default)", **model,
                 "seconds": round(time.perf_counter() - started, 1)})
    started = time.perf_counter()
    baseline = figures(reviews, lexicon_predictions(reviews, LexiconSentimentScorer()))
    rows.append({"set": name, "system": baseline_name, **baseline, "seconds": round(time.perf_counter() - started, 1)})
    return rows


def print_table(rows: list[dict]) -> None:
    header = f"{'set':<34} {'system':<32} {'n':>5} {'polarity':>9} {'star MAE':>9} {'exact':>7} {'±1':>7}"
    print(header)
    print("-" * len(header))
    for row in rows:
        print(f"{row['set']:<34} {row['system']:<32} {row['reviews']:>5} {row['polarity_accuracy']:>9.1%} "
              f"{row['star_mae']:>9.3f} {row['exact_star_accuracy']:>7.1%} {row['off_by_one_accuracy']:>7.1%}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON lines")
    args = parser.parse_args(argv)
    rows: list[dict] = []
    try:
        _training, held_out = split(load_reviews())
        rows += evaluate("en: real reviews, held-out split", held_out, "VADER (lexicon baseline)")
        for corpus in ("yelp", "amazon"):
            subset = [r for r in held_out if r.corpus == corpus]
            rows += evaluate(f"en: held-out {corpus} only", subset, "VADER (lexicon baseline)")
    except DatasetsMissing as exc:
        print(exc)
    rows += evaluate("fr: written reviews (benchmarks/data)", load_french_evaluation(), "French lexicon (baseline)")
    if args.json:
        for row in rows:
            print(json.dumps(row))
    else:
        print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
