"""The real English reviews the star model is trained and evaluated on, with a fixed split.

Reads ``/work/shared/datasets`` (or ``$STARWATCH_DATASETS``): Yelp Phoenix coffee-shop reviews
and the deduplicated Amazon fashion reviews, both with 1-5 stars (see that folder's README:
research / non-commercial licences, so their texts never enter this repository; only weights
trained on them do). A user's clone does not have the folder: ``load_reviews`` then raises
``DatasetsMissing`` with a message, and the scripts print it and exit 0.

The split is by a CRC-32 of the text, so it needs no random seed, never changes between runs
or machines, and a text that appears twice always lands on the same side: one review in four
is held out for evaluation and never used for training.
"""

from __future__ import annotations

import csv
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATASETS = Path("/work/shared/datasets")
HELD_OUT_ONE_IN = 4
FRENCH_EVALUATION = Path(__file__).with_name("data") / "french_reviews.jsonl"


class DatasetsMissing(Exception):
    """The shared datasets folder is not on this machine."""


@dataclass(frozen=True)
class LabelledReview:
    text: str
    stars: int
    corpus: str
    language: str = "en"

    @property
    def held_out(self) -> bool:
        return zlib.crc32(self.text.encode("utf-8")) % HELD_OUT_ONE_IN == 0


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
            reviews.append(LabelledReview(text, int(float(row["overall"])), "amazon"))
    return [review for review in reviews if review.text.strip()]


def split(reviews: list[LabelledReview]) -> tuple[list[LabelledReview], list[LabelledReview]]:
    """(training, held-out)."""
    return [r for r in reviews if not r.held_out], [r for r in reviews if r.held_out]


def load_french_evaluation(path: Path = FRENCH_EVALUATION) -> list[LabelledReview]:
    """The French reviews the team wrote for evaluation (JSON lines with ``text`` and ``stars``)."""
    import json

    reviews = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            row = json.loads(line)
            reviews.append(LabelledReview(row["text"], int(row["stars"]), f"written:{row.get('domain', 'misc')}", "fr"))
    return reviews
