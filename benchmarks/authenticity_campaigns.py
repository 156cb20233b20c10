"""Inject synthetic campaigns into real review streams and measure how many the assessment finds.

    python benchmarks/authenticity_campaigns.py [--runs 3]

Streams: the shared datasets' Yelp coffee shops (synthetic Poisson arrival times: Yelp gives no
dates) and Amazon fashion listings (real dates and reviewer ids; one review shown on sibling
listings is stored once per listing). Campaigns (``authenticity_injection``): bursts of
near-duplicate 5★ reviews, solicited reviews, gated streams. Every review goes through the
analysis stage (``workers.analysis.analyze``) as ingest would, into a real SQLite store, and
``assess_entities`` assesses every entity at once.

Reported, per run and overall:
- per review: recall = injected burst (or solicited, or diverse-burst) reviews that end up in a
  detected campaign;
  false-positive rate = untouched real reviews that end up in a non-gated campaign;
- per campaign: an injected burst/solicitation is found when one detected campaign holds at
  least half of its reviews; a gated stream is found when a gated-stream campaign of its entity
  overlaps its window; false campaigns = detected campaigns with less than half injected reviews;
- the clean streams (nothing injected): campaigns, gated stretches and flags on real reviews,
  and whether any review shown on sibling listings is counted against it.
Targets: recall >= 0.95 on bursts at <= 1 % false positives on untouched real reviews.
Without the shared datasets the script says so and exits 0.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import authenticity_injection as inject  # noqa: E402
from benchmarks.authenticity_datasets import DatasetsMissing, load_amazon, load_yelp  # noqa: E402
from config.settings import Settings  # noqa: E402
from search.backends.sqlite import SQLiteReviewStore  # noqa: E402
from search.documents import Review  # noqa: E402
from workers.authenticity.assess import assess_entities  # noqa: E402

BURSTS = {"yelp": 12, "amazon": 4}
SOLICITED = {"yelp": 6, "amazon": 2}
GATED = {"yelp": 4, "amazon": 0}
DIVERSE_BURSTS = {"yelp": 4, "amazon": 2}


def analysed(reviews: list[Review]) -> list[Review]:
    """What ingest stores: language, sentiment and solicitation flags from the analysis stage."""
    from workers.analysis import analyze

    result = []
    for review in reviews:
        analysis = analyze(review.text, language_hint=review.language)
        update = analysis.record_update() if hasattr(analysis, "record_update") else {
            "sentiment_score": analysis.sentiment_score, "sentiment_label": analysis.sentiment_label}
        result.append(review.model_copy(update={k: v for k, v in update.items() if k in Review.model_fields}))
    return result


def streams() -> dict[str, list[Review]]:
    return {"yelp": analysed(inject.yelp_reviews(load_yelp())),
            "amazon": analysed(inject.amazon_reviews(load_amazon()))}


def injected_streams(real: dict[str, list[Review]], seed: int):
    rng = random.Random(seed)
    all_reviews, truth = [], []
    for corpus, reviews in real.items():
        by_entity: dict[str, list[Review]] = {}
        for review in reviews:
            by_entity.setdefault(review.entity_id, []).append(review)
        entities = sorted(by_entity, key=lambda e: (-len(by_entity[e]), e))
        removed: set[str] = set()
        plan = [("gated", inject.inject_gated, GATED[corpus]), ("burst", inject.inject_burst, BURSTS[corpus]),
                ("solicited", inject.inject_solicited, SOLICITED[corpus]),
                ("diverse_burst", inject.inject_diverse_burst, DIVERSE_BURSTS[corpus])]
        for kind, injector, count in plan:
            pool = entities[:max(count, 8)] if kind == "gated" else entities
            for number, entity in enumerate(rng.sample(pool, min(count, len(pool)))):
                new, ground = injector(rng, entity, by_entity[entity], f"{corpus}-{kind}-{seed}-{number}")
                removed.update(ground.removed_ids)
                all_reviews.extend(analysed(new))
                truth.append(ground)
        all_reviews.extend(r for r in reviews if r.review_id not in removed)
    return all_reviews, truth


ASSESS_SECONDS: list[float] = []


def assess(reviews: list[Review]):
    with tempfile.TemporaryDirectory() as folder:
        store = SQLiteReviewStore(Path(folder) / "bench.sqlite")
        store.upsert_reviews(reviews)
        started = time.perf_counter()
        assessment = assess_entities(Settings(), store)
        ASSESS_SECONDS.append(time.perf_counter() - started)
        stored = {r.review_id: r for r in store.iter_reviews()}
        store.close()
    return assessment, stored


def score(assessment, stored, truth) -> dict:
    injected = {rid: t for t in truth for rid in t.review_ids}
    bursts = [c for c in assessment.campaigns if "gated_stream" not in c.kinds]
    members = {rid for c in bursts for rid in c.review_ids}
    real_ids = [rid for rid in stored if rid not in injected]
    figures = {"real_reviews": len(real_ids),
               "false_positive_reviews": sum(1 for rid in real_ids if rid in members)}
    for kind in ("burst", "solicited", "diverse_burst"):
        ids = [rid for t in truth if t.kind == kind for rid in t.review_ids]
        figures[f"{kind}_reviews"] = len(ids)
        figures[f"{kind}_found_reviews"] = sum(1 for rid in ids if rid in members)
        groups = [t for t in truth if t.kind == kind]
        figures[f"{kind}_campaigns"] = len(groups)
        figures[f"{kind}_found_campaigns"] = sum(1 for t in groups if _found(t, bursts))
    gated_truth = [t for t in truth if t.kind == "gated"]
    gated_found = [c for c in assessment.campaigns if "gated_stream" in c.kinds]
    figures["gated_campaigns"] = len(gated_truth)
    figures["gated_found_campaigns"] = sum(1 for t in gated_truth if any(_overlaps(t, c) for c in gated_found))
    figures["false_campaigns"] = sum(1 for c in bursts if sum(r in injected for r in c.review_ids) * 2 < c.size)
    figures["false_gated"] = sum(1 for c in gated_found if not any(_overlaps(t, c) for t in gated_truth))
    return figures


def _found(truth, campaigns) -> bool:
    wanted = set(truth.review_ids)
    return any(len(wanted.intersection(c.review_ids)) * 2 >= len(wanted) for c in campaigns)


def _overlaps(truth, campaign) -> bool:
    return campaign.entity_id == truth.entity_id and campaign.first_published <= truth.end and \
        campaign.last_published >= truth.start


def clean_figures(assessment, stored) -> dict:
    flags = Counter(f for r in stored.values() for f in r.flags if f.startswith("authenticity:"))
    members = {rid for c in assessment.campaigns if "gated_stream" not in c.kinds for rid in c.review_ids}
    cross_listed = [r for r in stored.values() if "authenticity:cross_listed" in r.flags]
    return {"reviews": len(stored), "campaigns": sum(1 for c in assessment.campaigns if "gated_stream" not in c.kinds),
            "gated": sum(1 for c in assessment.campaigns if "gated_stream" in c.kinds),
            "campaign_members": len(members), "flags": dict(sorted(flags.items())),
            "cross_listed": len(cross_listed),
            "cross_listed_in_campaigns": sum(1 for r in cross_listed if r.review_id in members),
            "grades": dict(Counter(c.grade for c in assessment.cards if c.source is None))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="injection runs with different seeds")
    args = parser.parse_args()
    started = time.perf_counter()
    try:
        real = streams()
    except DatasetsMissing as exc:
        print(f"skipped: {exc}")
        return 0
    clean = clean_figures(*assess([r for reviews in real.values() for r in reviews]))
    print(f"Assessment of the clean streams (every entity, SQLite, first run): {ASSESS_SECONDS[0]:.1f} s")
    print(f"Clean real streams ({clean['reviews']} reviews): {clean['campaigns']} campaign(s) with "
          f"{clean['campaign_members']} member(s), {clean['gated']} gated stretch(es); grades {clean['grades']}")
    print(f"  sibling-listing copies flagged cross_listed: {clean['cross_listed']}, of which in a campaign: "
          f"{clean['cross_listed_in_campaigns']}")
    print("  flags on real reviews: " + ", ".join(f"{k.split(':')[1]} {v}" for k, v in clean["flags"].items()))
    totals: Counter = Counter()
    for run in range(args.runs):
        reviews, truth = injected_streams(real, seed=run)
        figures = score(*assess(reviews), truth)
        totals.update(figures)
        print(f"run {run}: " + ", ".join(f"{k} {v}" for k, v in figures.items()))
    report(totals)
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0


def report(t: Counter) -> None:
    def ratio(a, b):
        return f"{t[a] / t[b]:.4f} ({t[a]}/{t[b]})" if t[b] else "n/a"

    print("Overall:")
    print(f"  burst recall per review     {ratio('burst_found_reviews', 'burst_reviews')}   target >= 0.95")
    print(f"  burst recall per campaign   {ratio('burst_found_campaigns', 'burst_campaigns')}")
    print(f"  solicited recall per review {ratio('solicited_found_reviews', 'solicited_reviews')}")
    print(f"  solicited recall / campaign {ratio('solicited_found_campaigns', 'solicited_campaigns')}")
    print(f"  gated streams found         {ratio('gated_found_campaigns', 'gated_campaigns')}")
    print(f"  stress test, diverse bursts {ratio('diverse_burst_found_reviews', 'diverse_burst_reviews')} per review, "
          f"{ratio('diverse_burst_found_campaigns', 'diverse_burst_campaigns')} per campaign")
    print(f"  false positives per review  {ratio('false_positive_reviews', 'real_reviews')}   target <= 0.01")
    print(f"  false campaigns {t['false_campaigns']}, false gated stretches {t['false_gated']}")


if __name__ == "__main__":
    sys.exit(main())
