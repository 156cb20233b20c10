"""Train the default star model (``workers/analysis/models/stars_v2.npz``) on real reviews.

Usage::

    python benchmarks/nlp_train_star_model.py [--out PATH] [--l2 1e-7] [--class-weight-power 0.5]

Needs the shared datasets (see ``benchmarks/nlp_datasets.py``; skips with a message without
them) plus scipy, used here only: the product loads the weights with numpy alone.

What it fits: an ordinal logistic regression ("proportional odds": one latent per text and four
star thresholds) by L-BFGS with an L2 penalty:
- the full head on hashed n-grams plus the lexicon summary (``workers.analysis.features``),
  on the training side of the English split; the held-out quarter is for
  ``benchmarks/nlp_evaluate_sentiment.py``;
- the French head on the French lexicon summary, fitted on ``benchmarks/data/french_calibration.jsonl``
  (reviews the team wrote for it, disjoint from the French evaluation set): the English
  lexicon (VADER) and starwatch's French lexicon do not put a review on the same scale, so a
  head fitted on English VADER scores put French stars about half a star too low;
- a shared lexicon-only head on the English lexicon summary, class-balanced, for any other
  language a lexicon is added for.

Choices made on a validation fifth of the English training side (never the held-out quarter),
then the model is refit on the whole training side:
- the n-gram prior: each of a text's n buckets weighs ``1 / (n + prior)`` (``Head.latents``), so
  the few n-grams of a short sentence (the model also scores the sentences that carry an
  aspect) do not outweigh its lexicon summary;
- the L2 strength;
- the class-weight power: each review weighs ``(n / (5 × n_its_star)) ** power``; 0 is the
  plain fit, 1 weighs every star equally. Only 8 % of the reviews have 1-2 stars, and a plain
  fit misses most of them;
- how stars are read off the latent (expected value or latent position, see
  ``workers.analysis.star_model``).
The criterion is the validation star MAE minus the balanced polarity accuracy (the mean of the
recalls of negative and positive reviews): fewer star errors, more negative reviews caught.
The French head's L2 strength is chosen by 5-fold cross-validation on the calibration set.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import zlib
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from nlp_datasets import DatasetsMissing, load_french_calibration, load_reviews, split  # noqa: E402

from workers.analysis.features import DENSE_NAMES, DIMENSION, HASH_BITS  # noqa: E402
from workers.analysis.sentiment import LexiconSentimentScorer  # noqa: E402
from workers.analysis.star_model import DEFAULT_MODEL_PATH, Head  # noqa: E402
from workers.analysis.star_scorer import featurize  # noqa: E402
from workers.analysis.text import shorten_for_analysis, to_plain_text  # noqa: E402

L2_CANDIDATES = (1e-7, 1e-6)
CLASS_WEIGHT_POWERS = (0.0, 0.5)
STARS_FROM = ("expected", "latent")
DENSE_L2 = 0.01
FRENCH_L2_CANDIDATES = (0.0, 0.01, 0.1)
NGRAM_PRIORS = (0.0, 30.0, 100.0)


def design(reviews, lexicons):
    """(sparse n-gram matrix with 1/n per bucket, dense lexicon matrix, stars 1..5) of the reviews."""
    from scipy import sparse

    indptr, indices, dense = [0], [], []
    for review in reviews:
        features = featurize(shorten_for_analysis(to_plain_text(review.text)), review.language, lexicons)
        indices.append(features.buckets)
        indptr.append(indptr[-1] + len(features.buckets))
        dense.append(features.dense)
    lengths = np.diff(indptr)
    values = np.repeat(1.0 / np.maximum(lengths, 1), lengths)
    matrix = sparse.csr_matrix((values, np.concatenate(indices), indptr), shape=(len(reviews), DIMENSION))
    return matrix, np.vstack(dense).astype(np.float64), np.array([review.stars for review in reviews])


def thresholds_from(params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ordered thresholds from unconstrained parameters (first, then log-gaps), and the Jacobian."""
    gaps = np.exp(params[1:])
    thresholds = params[0] + np.concatenate(([0.0], np.cumsum(gaps)))
    jacobian = np.zeros((4, 4))
    jacobian[:, 0] = 1.0
    for k in range(1, 4):
        jacobian[k:, k] = gaps[k - 1]
    return thresholds, jacobian


def class_weights(stars: np.ndarray, power: float) -> np.ndarray:
    """``(n / (5 × n_star)) ** power`` per review, scaled to a mean of 1."""
    counts = np.bincount(stars, minlength=6).astype(np.float64)
    weights = (len(stars) / (5.0 * counts[stars])) ** power
    return weights / weights.mean()


def fit(sparse_x, dense_x, stars, l2: float, weights: np.ndarray | None = None, dense_l2: float = DENSE_L2):
    """Ordinal logistic regression; returns (ngram weights or None, dense weights, thresholds).

    Only the n-gram columns some review uses are optimised (the others stay 0 under L2 anyway):
    a few thousand reviews touch about a tenth of the 2^18 buckets, and L-BFGS is ten times faster.
    """
    if sparse_x is None:
        return _fit_columns(None, dense_x, stars, l2, weights, dense_l2)
    used = np.unique(sparse_x.indices)
    ngram, dense, thresholds = _fit_columns(sparse_x[:, used], dense_x, stars, l2, weights, dense_l2)
    full = np.zeros(sparse_x.shape[1])
    full[used] = ngram
    return full, dense, thresholds


def _fit_columns(sparse_x, dense_x, stars, l2, weights, dense_l2):
    from scipy.optimize import minimize

    n_sparse = 0 if sparse_x is None else sparse_x.shape[1]
    n_dense = dense_x.shape[1]
    below, above = stars - 2, stars - 1  # threshold indices under and over each class (-1 / 4: none)
    weights = np.ones(len(stars)) if weights is None else weights
    total = weights.sum()

    def loss(params):
        w_sparse, w_dense = params[:n_sparse], params[n_sparse:n_sparse + n_dense]
        thresholds, jacobian = thresholds_from(params[n_sparse + n_dense:])
        z = dense_x @ w_dense + (sparse_x @ w_sparse if n_sparse else 0.0)
        padded = np.concatenate(([-np.inf], thresholds, [np.inf]))
        upper = 1 / (1 + np.exp(-(padded[above + 1] - z)))
        lower = 1 / (1 + np.exp(-(padded[below + 1] - z)))
        probability = np.maximum(upper - lower, 1e-12)
        d_upper, d_lower = upper * (1 - upper), lower * (1 - lower)
        d_z = weights * (d_upper - d_lower) / probability  # d(-log p)/dz
        d_thresholds = np.zeros(4)
        has_upper, has_lower = above < 4, below >= 0
        np.add.at(d_thresholds, above[has_upper], -(weights * d_upper / probability)[has_upper])
        np.add.at(d_thresholds, below[has_lower], (weights * d_lower / probability)[has_lower])
        value = (-(weights * np.log(probability)).sum() / total + 0.5 * l2 * (w_sparse @ w_sparse)
                 + 0.5 * dense_l2 * (w_dense @ w_dense))
        grad_sparse = (sparse_x.T @ d_z) / total + l2 * w_sparse if n_sparse else np.zeros(0)
        grad_dense = dense_x.T @ d_z / total + dense_l2 * w_dense
        grad_thresholds = jacobian.T @ (d_thresholds / total)
        return value, np.concatenate([grad_sparse, grad_dense, grad_thresholds])

    start = np.concatenate([np.zeros(n_sparse + n_dense), [-2.0, 0.0, 0.0, 0.0]])
    result = minimize(loss, start, jac=True, method="L-BFGS-B", options={"maxiter": 400})
    params = result.x
    thresholds, _ = thresholds_from(params[n_sparse + n_dense:])
    return (params[:n_sparse] if n_sparse else None), params[n_sparse:n_sparse + n_dense], thresholds


def predicted_stars(weights, sparse_x, dense_x, stars_from: str) -> np.ndarray:
    """Stars as the product reads them (``Head.stars``) from fitted weights."""
    w_sparse, w_dense, thresholds = weights
    z = dense_x @ w_dense + (sparse_x @ w_sparse if w_sparse is not None else 0.0)
    return Head(None, w_dense, thresholds).stars(np.asarray(z, dtype=np.float64), stars_from)


def quality(stars: np.ndarray, predicted: np.ndarray) -> dict:
    """Star MAE, balanced polarity accuracy (1-2 vs 4-5 stars; positive when predicted >= 3), criterion."""
    polar = stars != 3
    truth, guess = stars[polar] > 3, predicted[polar] >= 3
    recalls = [float((guess == side)[truth == side].mean()) for side in (False, True) if (truth == side).any()]
    mae = float(np.abs(predicted - stars).mean())
    balanced = float(np.mean(recalls))
    return {"mae": round(mae, 4), "balanced": round(balanced, 4), "criterion": round(mae - balanced, 4)}


def with_prior(sparse_x, prior: float):
    """The n-gram matrix of ``design`` (1/n per bucket) re-weighted to ``1 / (n + prior)``."""
    from scipy import sparse

    lengths = np.diff(sparse_x.indptr)
    return sparse.diags(lengths / np.maximum(lengths + prior, 1)) @ sparse_x


def choose_settings(reviews, sparse_x, dense_x, stars, l2s, powers, priors) -> dict:
    """The (n-gram prior, l2, power, stars_from) with the best validation criterion, and every candidate's figures."""
    validation = np.array([zlib.crc32(r.text.encode()) % 5 == 1 for r in reviews])
    candidates = []
    for prior in priors:
        matrix = with_prior(sparse_x, prior).tocsr()
        for power in powers:
            for l2 in l2s:
                weights = fit(matrix[~validation], dense_x[~validation], stars[~validation], l2,
                              class_weights(stars[~validation], power))
                for stars_from in STARS_FROM:
                    predicted = predicted_stars(weights, matrix[validation], dense_x[validation], stars_from)
                    figures = quality(stars[validation], predicted)
                    candidates.append({"ngram_prior": prior, "l2": l2, "class_weight_power": power,
                                       "stars_from": stars_from, **figures})
                    print(f"  prior {prior:<5g} l2={l2:<6g} class-weight power {power:<4} stars from {stars_from:<8} "
                          f"validation {figures}")
    best = min(candidates, key=lambda c: c["criterion"])
    return {**best, "candidates": candidates}


def fit_french_head(lexicons, stars_from: str):
    """(dense weights, thresholds, chosen L2, cross-validated figures) on the French calibration set."""
    reviews = load_french_calibration()
    _, dense_x, stars = design(reviews, lexicons)
    folds = np.arange(len(reviews)) % 5
    scores = {}
    for l2 in FRENCH_L2_CANDIDATES:
        predicted = np.zeros(len(stars))
        for fold in range(5):
            inside = folds != fold
            weights = fit(None, dense_x[inside], stars[inside], 0.0, dense_l2=l2)
            predicted[~inside] = predicted_stars(weights, None, dense_x[~inside], stars_from)
        scores[l2] = quality(stars, predicted)
        print(f"  French head l2={l2:<5} 5-fold on the calibration set {scores[l2]}")
    l2 = min(scores, key=lambda value: scores[value]["criterion"])
    _, dense_weights, thresholds = fit(None, dense_x, stars, 0.0, dense_l2=l2)
    return dense_weights, thresholds, l2, scores[l2], len(reviews)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL_PATH)
    parser.add_argument("--l2", type=float, default=None, help="skip the search and use this L2 strength")
    parser.add_argument("--class-weight-power", type=float, default=None, help="skip the search and use this power")
    parser.add_argument("--ngram-prior", type=float, default=None, help="skip the search and use this prior (see Head.latents)")
    args = parser.parse_args(argv)
    try:
        training, held_out = split(load_reviews())
    except DatasetsMissing as exc:
        print(exc)
        return 0
    started = time.perf_counter()
    lexicons = LexiconSentimentScorer()
    sparse_x, dense_x, stars = design(training, lexicons)
    print(f"training on {len(training)} reviews ({len(held_out)} held out), features in {time.perf_counter() - started:.1f}s")
    l2s = (args.l2,) if args.l2 is not None else L2_CANDIDATES
    powers = (args.class_weight_power,) if args.class_weight_power is not None else CLASS_WEIGHT_POWERS
    priors = (args.ngram_prior,) if args.ngram_prior is not None else NGRAM_PRIORS
    chosen = choose_settings(training, sparse_x, dense_x, stars, l2s, powers, priors)
    print(f"chosen: {({k: v for k, v in chosen.items() if k != 'candidates'})}")
    ngram_weights, dense_weights, thresholds = fit(with_prior(sparse_x, chosen["ngram_prior"]), dense_x, stars, chosen["l2"],
                                                   class_weights(stars, chosen["class_weight_power"]))
    _, lexicon_dense, lexicon_thresholds = fit(None, dense_x, stars, 0.0, class_weights(stars, 1.0))
    french_dense, french_thresholds, french_l2, french_cv, french_count = fit_french_head(lexicons, chosen["stars_from"])
    metadata = {
        "name": "stars_v2", "ngram_languages": ["en"], "lexicon_head_languages": ["fr"],
        "hash_bits": HASH_BITS, "dense": list(DENSE_NAMES), "stars_from": chosen["stars_from"], "ngram_prior": chosen["ngram_prior"],
        "l2": chosen["l2"], "class_weight_power": chosen["class_weight_power"], "validation": chosen["candidates"],
        "lexicon_head": "class-balanced, English lexicon summary", "training_reviews": len(training),
        "corpora": sorted({r.corpus for r in training}),
        "split": "crc32(text) % 4 != 0 (held out: == 0), minus training reviews whose body is held out",
        "french_head": {"reviews": french_count, "file": "benchmarks/data/french_calibration.jsonl", "l2": french_l2,
                        "cross_validated": french_cv},
        "script": "benchmarks/nlp_train_star_model.py",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out, ngram_weights=ngram_weights.astype(np.float16), dense_weights=dense_weights,
        thresholds=thresholds, lexicon_dense_weights=lexicon_dense, lexicon_thresholds=lexicon_thresholds,
        lexicon_dense_weights_fr=french_dense, lexicon_thresholds_fr=french_thresholds,
        metadata=np.array(json.dumps(metadata)),
    )
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB) in {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
