"""Throughput of the full analysis against model-only inference, and a worker's peak memory.

Usage::

    python benchmarks/nlp_throughput.py [--reviews 10000] [--processes 2] [--batch 64]

Texts: the real English reviews of the shared datasets with the French reviews of
``benchmarks/data`` mixed in (one in ten), repeated up to ``--reviews``; without the shared
datasets (a user's clone) it says so and uses the French reviews alone.

Measured in each of ``--processes`` worker processes (one per core, as ``starwatch worker
--concurrency 2`` runs), each on its share of the texts, in the same run and batch by batch in
turns (model-only then pipeline on one batch, the other way round on the next):
- model-only: ``StarModelScorer.score_batch`` with the language given (features + model);
- pipeline: ``Analyzer.analyze_batch`` (markup removal, language detection, the model, sentence
  scores, aspects, integrity and solicitation flags), i.e. what a worker does per review;
- peak resident memory of the process (``ru_maxrss``), models and definitions loaded.
Targets (issue 4): pipeline >= 0.7 x model-only, >= 150 reviews/s on 2 cores, peak <= 1 GB.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from nlp_datasets import DatasetsMissing, load_french_evaluation, load_reviews  # noqa: E402


def benchmark_texts(count: int) -> list[tuple[str, str]]:
    french = [(r.text, "fr") for r in load_french_evaluation()]
    try:
        english = [(r.text, "en") for r in load_reviews()]
    except DatasetsMissing as exc:
        print(f"{exc}; measuring on the French written reviews alone")
        english = []
    mixed = []
    for index in range(max(len(english), 1)):
        if english:
            mixed.append(english[index])
        if index % 9 == 0:
            mixed.append(french[(index // 9) % len(french)])
    return [mixed[i % len(mixed)] for i in range(count)]


def measure(share: list[tuple[str, str]], batch: int) -> dict:
    """Model-only and pipeline seconds over ``share``, batch by batch in turns.

    Both sides read the same batch one after the other (in alternating order), so a load that
    comes and goes on the shared cores weighs on both alike instead of on whichever phase it
    happened to overlap.
    """
    from workers.analysis.analyzer import Analyzer

    analyzer = Analyzer()
    scorer = analyzer.scorer
    analyzer.analyze_batch([text for text, _ in share[:batch]])  # warm up: models and caches load
    texts, languages = [t for t, _ in share], [lang for _, lang in share]
    seconds = {"model": 0.0, "pipeline": 0.0}
    runs = {
        "model": lambda start: scorer.score_batch(texts[start:start + batch], languages[start:start + batch]),
        "pipeline": lambda start: analyzer.analyze_batch(texts[start:start + batch]),
    }
    for number, start in enumerate(range(0, len(texts), batch)):
        for side in (("model", "pipeline") if number % 2 == 0 else ("pipeline", "model")):
            started = time.perf_counter()
            runs[side](start)
            seconds[side] += time.perf_counter() - started
    return {"reviews": len(texts), "model_seconds": seconds["model"], "pipeline_seconds": seconds["pipeline"],
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _measure_star(args):
    return measure(*args)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=10_000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args(argv)
    texts = benchmark_texts(args.reviews)
    shares = [(texts[i::args.processes], args.batch) for i in range(args.processes)]
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(args.processes) as pool:
        results = pool.map(_measure_star, shares)
    wall = time.perf_counter() - started
    # Each process alternates model-only and pipeline batches; per-process rates add up.
    model_rate = sum(r["reviews"] / r["model_seconds"] for r in results)
    pipeline_rate = sum(r["reviews"] / r["pipeline_seconds"] for r in results)
    chars = sum(len(text) for text, _ in texts) / len(texts)
    print(f"{len(texts)} reviews (mean {chars:.0f} characters), {args.processes} processes, batches of {args.batch}, "
          f"{wall:.0f} s in all")
    print(f"model-only : {model_rate:8.0f} reviews/s")
    print(f"pipeline   : {pipeline_rate:8.0f} reviews/s   (target >= 150)")
    print(f"ratio      : {pipeline_rate / model_rate:8.2f} x model-only   (target >= 0.70)")
    print(f"peak memory: {max(r['peak_mb'] for r in results):8.0f} MB per worker process   (target <= 1024)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
