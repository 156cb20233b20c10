"""Train the default star model (``workers/analysis/models/stars_en_v1.npz``) on real reviews.

Usage::

    python benchmarks/nlp_train_star_model.py [--out PATH] [--l2 0.3]

Needs the shared datasets (see ``benchmarks/nlp_datasets.py``; skips with a message without
them) plus scipy, used here only: the product loads the weights with numpy alone.

What it fits: an ordinal logistic regression ("proportional odds": one latent per text and four
star thresholds) by L-BFGS with an L2 penalty, twice:
- the full head on hashed n-grams plus the lexicon summary (``workers.analysis.features``);
- a lexicon-only head on the lexicon summary alone, used for languages whose n-grams the model
  never saw (French): it maps the lexicon polarity onto stars as the real reviews taught it.
Only the training side of the fixed split is used; the held-out quarter is for
``benchmarks/nlp_evaluate_sentiment.py``. The L2 strength is chosen on a validation fifth of
the training side, then the model is refit on the whole training side.
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

from nlp_datasets import DatasetsMissing, load_reviews, split  # noqa: E402

from workers.analysis.features import DENSE_NAMES, DIMENSION, HASH_BITS  # noqa: E402
from workers.analysis.sentiment import LexiconSentimentScorer  # noqa: E402
from workers.analysis.star_model import DEFAULT_MODEL_PATH  # noqa: E402
from workers.analysis.star_scorer import featurize  # noqa: E402
from workers.analysis.text import shorten_for_analysis, to_plain_text  # noqa: E402

L2_CANDIDATES = (1e-7, 1e-6, 1e-5)
DENSE_L2 = 0.01


def design(reviews, lexicons):
    """(sparse n-gram matrix, dense lexicon matrix, stars 1..5) of the reviews."""
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
    return matrix, np.vstack(dense), np.array([review.stars for review in reviews])


def thresholds_from(params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ordered thresholds from unconstrained parameters (first, then log-gaps), and the Jacobian."""
    gaps = np.exp(params[1:])
    thresholds = params[0] + np.concatenate(([0.0], np.cumsum(gaps)))
    jacobian = np.zeros((4, 4))
    jacobian[:, 0] = 1.0
    for k in range(1, 4):
        jacobian[k:, k] = gaps[k - 1]
    return thresholds, jacobian


def fit(sparse_x, dense_x, stars, l2: float, balanced: bool = False):
    """Ordinal logistic regression; returns (ngram weights or None, dense weights, thresholds).

    ``balanced``: weigh each star class equally (the lexicon-only head must not inherit the
    English corpora's positive skew: 80 % of their reviews have 4-5 stars).
    """
    from scipy.optimize import minimize

    n_sparse = 0 if sparse_x is None else sparse_x.shape[1]
    n_dense = dense_x.shape[1]
    below, above = stars - 2, stars - 1  # threshold indices under and over each class (-1 / 4: none)
    counts = np.bincount(stars, minlength=6)[stars]
    weights = (len(stars) / (5.0 * counts)) if balanced else np.ones(len(stars))

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
        n = len(stars)
        value = -(weights * np.log(probability)).sum() / n + 0.5 * l2 * (w_sparse @ w_sparse) + 0.5 * DENSE_L2 * (w_dense @ w_dense)
        grad_sparse = (sparse_x.T @ d_z) / n + l2 * w_sparse if n_sparse else np.zeros(0)
        grad_dense = dense_x.T @ d_z / n + DENSE_L2 * w_dense
        grad_thresholds = jacobian.T @ (d_thresholds / n)
        return value, np.concatenate([grad_sparse, grad_dense, grad_thresholds])

    start = np.concatenate([np.zeros(n_sparse + n_dense), [-2.0, 0.0, 0.0, 0.0]])
    result = minimize(loss, start, jac=True, method="L-BFGS-B", options={"maxiter": 400})
    params = result.x
    thresholds, _ = thresholds_from(params[n_sparse + n_dense:])
    return (params[:n_sparse] if n_sparse else None), params[n_sparse:n_sparse + n_dense], thresholds


def mae_of(weights, sparse_x, dense_x, stars) -> float:
    w_sparse, w_dense, thresholds = weights
    z = dense_x @ w_dense + (sparse_x @ w_sparse if w_sparse is not None else 0.0)
    cumulative = 1 / (1 + np.exp(-(thresholds[None, :] - z[:, None])))
    probabilities = np.diff(np.hstack([np.zeros((len(z), 1)), cumulative, np.ones((len(z), 1))]), axis=1)
    return float(np.abs(probabilities @ np.arange(1, 6) - stars).mean())


def choose_l2(reviews, sparse_x, dense_x, stars) -> float:
    validation = np.array([zlib.crc32(r.text.encode()) % 5 == 1 for r in reviews])
    scores = {}
    for l2 in L2_CANDIDATES:
        weights = fit(sparse_x[~validation], dense_x[~validation], stars[~validation], l2)
        scores[l2] = mae_of(weights, sparse_x[validation], dense_x[validation], stars[validation])
        print(f"  l2={l2:<5} validation star MAE {scores[l2]:.3f}")
    return min(scores, key=scores.get)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL_PATH)
    parser.add_argument("--l2", type=float, default=None, help="skip the search and use this L2 strength")
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
    l2 = args.l2 if args.l2 is not None else choose_l2(training, sparse_x, dense_x, stars)
    ngram_weights, dense_weights, thresholds = fit(sparse_x, dense_x, stars, l2)
    _, lexicon_dense, lexicon_thresholds = fit(None, dense_x, stars, 0.0, balanced=True)
    metadata = {
        "name": "stars_en_v1", "ngram_languages": ["en"], "hash_bits": HASH_BITS, "dense": list(DENSE_NAMES),
        "l2": l2, "lexicon_head": "class-balanced", "training_reviews": len(training), "corpora": sorted({r.corpus for r in training}),
        "split": "crc32(text) % 4 != 0 (held out: == 0)", "script": "benchmarks/nlp_train_star_model.py",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out, ngram_weights=ngram_weights.astype(np.float16), dense_weights=dense_weights,
        thresholds=thresholds, lexicon_dense_weights=lexicon_dense, lexicon_thresholds=lexicon_thresholds,
        metadata=np.array(json.dumps(metadata)),
    )
    print(f"l2={l2}; wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB) in {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
