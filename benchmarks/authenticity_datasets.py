"""The shared real datasets the authenticity benchmarks read, loaded into plain records.

Reads ``/work/shared/datasets`` (or ``$STARWATCH_DATASETS``); see that folder's README. The
licences are research / non-commercial, so no text from it ever enters this repository: the
benchmarks read it at run time, and only the detector's weights (no text) are committed. A
user's clone has no such folder: every loader then raises ``DatasetsMissing``, whose message the
scripts print before exiting with status 0.

- Salminen et al. 2022 (``fake_reviews_salminen_dev``): texts labelled OR (original) or CG
  (GPT-2-generated). The held-out part is fixed by a CRC-32 of the text (one in five), so it
  needs no seed and never changes between machines.
- Yelp Phoenix coffee shops: business, user and stars, but no dates.
- Amazon fashion 5-core, deduplicated: reviewer, stars, date and every listing (ASIN) a review
  appeared on.
"""

from __future__ import annotations

import csv
import os
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

DEFAULT_DATASETS = Path("/work/shared/datasets")
HELD_OUT_ONE_IN = 5


class DatasetsMissing(Exception):
    """The shared datasets folder (or one of its files) is not on this machine."""


@dataclass(frozen=True)
class LabelledText:
    text: str
    machine_generated: bool

    @property
    def held_out(self) -> bool:
        return zlib.crc32(self.text.encode("utf-8")) % HELD_OUT_ONE_IN == 0


@dataclass(frozen=True)
class RealReview:
    """One real review: the entity it is about, its author id, stars, text and date if known."""

    entity: str
    author: str | None
    stars: int
    text: str
    published_at: datetime | None = None
    listings: tuple[str, ...] = ()


def datasets_folder() -> Path:
    return Path(os.environ.get("STARWATCH_DATASETS", DEFAULT_DATASETS))


def _file(*parts: str) -> Path:
    path = datasets_folder().joinpath(*parts)
    if not path.is_file():
        raise DatasetsMissing(
            f"{path} is not here: this benchmark needs the team's shared datasets (see the benchmark's "
            "docstring); set STARWATCH_DATASETS to the folder that holds them. Nothing was measured."
        )
    return path


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_salminen() -> list[LabelledText]:
    """The 4,000 labelled texts (about half machine-generated)."""
    rows = _rows(_file("fake_reviews_salminen_dev", "reviews.csv"))
    return [LabelledText(row["text"], row["label"] == "CG") for row in rows]


def load_yelp() -> list[RealReview]:
    """2,687 Yelp reviews of 36 coffee shops, undated."""
    rows = _rows(_file("yelp_phoenix_36biz", "yelp.csv"))
    return [RealReview(entity=row["business_id"], author=row["user_id"] or None, stars=int(float(row["stars"])),
                       text=row["text"]) for row in rows]


def load_amazon() -> list[RealReview]:
    """The 447 distinct Amazon fashion reviews, each with every listing it appeared on."""
    reviews = []
    for row in _rows(_file("amazon_fashion_5core", "AMAZON_FASHION_5_dedup.csv")):
        listings = tuple(part for part in row["asins"].split("|") if part)
        published = datetime.fromtimestamp(int(row["unixReviewTime"]), tz=timezone.utc)
        text = " ".join(part for part in (row["summary"], row["reviewText"]) if part)
        reviews.append(RealReview(entity=listings[0] if listings else "unknown", author=row["reviewerID"] or None,
                                  stars=int(float(row["overall"])), text=text, published_at=published,
                                  listings=listings))
    return reviews
