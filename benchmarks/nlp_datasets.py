"""The real English reviews the star model is trained and evaluated on, with a fixed split.

Reads ``/work/shared/datasets`` (or ``$STARWATCH_DATASETS``): Yelp Phoenix coffee-shop reviews
and the deduplicated Amazon fashion reviews, both with 1-5 stars (see that folder's README:
research / non-commercial licences, so their texts never enter this repository; only weights
trained on them do). A user's clone does not have the folder: ``load_reviews`` then raises
``DatasetsMissing`` with a message, and the scripts print it and exit 0.

The split is by a CRC-32 of the text, so it needs no random seed, never changes between runs
or machines, and a text that appears twice always lands on the same side: one review in four
is held out for evaluation and never used for training. Amazon shows one review on several
sibling listings, sometimes under another title: the deduplicated file still holds a few
reviews whose body is the same with a different title (so a different text and maybe another
side of the split), and Yelp holds a few reposts. ``split`` keeps the held-out side as it is
and drops from the training side every review whose body (words only, any case) is also on the
held-out side, so no held-out review is seen in training under another title.

French: ``benchmarks/data/french_reviews.jsonl`` is the evaluation set (299 reviews the team
wrote, never trained on); ``benchmarks/data/french_calibration.jsonl`` is a second, disjoint
set written later (160 reviews) on which the French lexicon head of the star model is fitted.
``benchmarks/data/english_sentences.jsonl``: 40 short English sentences the team wrote, each
positive or negative, like the sentences whose sentiment becomes an aspect's: a check that the
model, trained on whole reviews, reads a lone sentence the right way round.
"""

from __future__ import annotations

import csv
import json
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATASETS = Path("/work/shared/datasets")
HELD_OUT_ONE_IN = 4
FRENCH_EVALUATION = Path(__file__).with_name("data") / "french_reviews.jsonl"
FRENCH_CALIBRATION = Path(__file__).with_name("data") / "french_calibration.jsonl"
ENGLISH_SENTENCES = Path(__file__).with_name("data") / "english_sentences.jsonl"
_NOT_A_WORD = re.compile(r"\W+")


class DatasetsMissing(Exception):
    """The shared datasets folder is not on this machine."""


@dataclass(frozen=True)
class LabelledReview:
    text: str
    stars: int
    corpus: str
    language: str = "en"
    body: str = ""  # the review without its title, when it has one (Amazon)

    @property
    def held_out(self) -> bool:
        return zlib.crc32(self.text.encode("utf-8")) % HELD_OUT_ONE_IN == 0

    @property
    def body_key(self) -> str:
        """The body's words, lowercased: equal for one review shown under two titles."""
        return _NOT_A_WORD.sub(" ", (self.body or self.text).lower()).strip()


def datasets_folder() -> Path:
    return Path(os.environ.get("STARWATCH_DATASETS", DEFAULT_DATASETS))


def load_reviews() -> list[LabelledReview]:
    """Every labelled English review (Yelp, then Amazon), or ``DatasetsMissing``."""
    folder = datasets_folder()
    yelp = folder / "yelp_phoenix_36biz" / "yelp.csv"
    amazon = folder / "amazon_fashion_5core" / "AMAZON_FASHION_5_dedup.csv"
    if not yelp.is_file() or not amazon.is_file():
        raise DatasetsMissing(
            f"skipped: the real review datasets are not at {folder} (expected {yelp.name} and {amazon.name}); "
            "set STARWATCH_DATASETS to the folder holding them to run this script"
        )
    reviews = []
    with yelp.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            reviews.append(LabelledReview(row["text"], int(row["stars"]), "yelp"))
    with amazon.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            # As ingest does: title and text joined by a space.
            text = " ".join(part for part in (row["summary"], row["reviewText"]) if part)
            reviews.append(LabelledReview(text, int(float(row["overall"])), "amazon", body=row["reviewText"]))
    return [review for review in reviews if review.text.strip()]


def split(reviews: list[LabelledReview]) -> tuple[list[LabelledReview], list[LabelledReview]]:
    """(training, held-out): held-out as the CRC-32 says, training without held-out bodies."""
    held_out = [r for r in reviews if r.held_out]
    held_out_bodies = {r.body_key for r in held_out}
    return [r for r in reviews if not r.held_out and r.body_key not in held_out_bodies], held_out


def load_french_calibration(path: Path = FRENCH_CALIBRATION) -> list[LabelledReview]:
    """The French reviews the French lexicon head is fitted on (never the evaluation set)."""
    return load_french_evaluation(path)


def load_english_sentences(path: Path = ENGLISH_SENTENCES) -> list[LabelledReview]:
    """The short labelled sentences, as reviews of 1 (negative) or 5 (positive) stars."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [LabelledReview(row["text"], 5 if row["polarity"] == "positive" else 1, "written:sentence", row["language"])
            for row in rows]


def load_french_evaluation(path: Path = FRENCH_EVALUATION) -> list[LabelledReview]:
    """The French reviews the team wrote for evaluation (JSON lines with ``text`` and ``stars``)."""
    reviews = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            row = json.loads(line)
            reviews.append(LabelledReview(row["text"], int(row["stars"]), f"written:{row.get('domain', 'misc')}", "fr"))
    return reviews
